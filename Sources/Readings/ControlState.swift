package import Support

/// The last value a control was set to, who set it and when: kept in the store, so that the
/// agent can apply it again at its next start (`restore = "last"`) and people can see who
/// switched what.
package struct ControlState: Sendable, Hashable {
    package var name: String
    package var value: ControlValue
    /// A bare JID (`alice@example.org`), or `kinglet set (root)` for the shell.
    package var setBy: String
    package var setAt: Timestamp

    package init(name: String, value: ControlValue, setBy: String, setAt: Timestamp) {
        self.name = name
        self.value = value
        self.setBy = setBy
        self.setAt = setAt
    }
}

extension ControlValue {
    /// The kind of value, as the store records it next to `description`.
    package var kind: String {
        switch self {
        case .boolean: "boolean"
        case .int: "int"
        case .double: "double"
        case .string: "string"
        case .enumeration: "enum"
        case .color: "color"
        }
    }

    /// The value `kind` and `description` wrote; nil for text that does not fit the kind.
    package init?(kind: String, text: String) {
        switch kind {
        case "boolean":
            guard text == "true" || text == "false" else { return nil }
            self = .boolean(text == "true")
        case "int":
            guard let i = Int64(text) else { return nil }
            self = .int(i)
        case "double":
            guard let d = Double(text) else { return nil }
            self = .double(d)
        case "string": self = .string(text)
        case "enum": self = .enumeration(text)
        case "color":
            guard let c = Color(hex: text) else { return nil }
            self = .color(c)
        default: return nil
        }
    }
}
