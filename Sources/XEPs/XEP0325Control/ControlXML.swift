package import Readings
package import XMLStream
package import XMPPCore

/// XEP-0325 (`urn:xmpp:iot:control`) stanza shapes: reading a `<set/>`, `<setResponse/>`, and the
/// error a failed change is answered with.
package enum ControlXML {
    package static let namespace = "urn:xmpp:iot:control"

    /// The typed parameter elements of a `<set/>`.
    static let parameterKinds: Set<String> = ["boolean", "color", "date", "dateTime", "double", "duration", "int", "long", "string", "time"]

    /// The `nodeId`s of the `<node/>` children.
    package static func nodeIDs(in element: XMLElement) -> [String] {
        element.children("node", namespace: namespace).compactMap { $0.attribute("nodeId") }
    }

    /// The changes a `<set/>` asks for, in document order: its typed parameters and the fields of
    /// a submitted form (`<x type='submit'/>`, only the fields it includes). A value that does
    /// not parse as its element's type, or an element that is no parameter, fails naming it.
    package static func changes(in set: XMLElement, applier: ControlApplier) throws(ControlError) -> [ControlChange] {
        var changes: [ControlChange] = []
        for element in set.elements {
            if element.namespace == namespace, element.name == "node" { continue }
            if let form = DataForm(element) {
                changes += try ControlForm.changes(from: form, applier: applier)
                continue
            }
            changes.append(try parameter(element))
        }
        return changes
    }

    /// One typed parameter (`<int name='dimmer' value='40'/>`) as a change, not yet validated
    /// against its control. Dates, times and durations arrive as strings: no control type takes
    /// them, so validation then refuses them unless the control is a string.
    package static func parameter(_ element: XMLElement) throws(ControlError) -> ControlChange {
        let name = element.attribute("name") ?? ""
        guard element.namespace == namespace, parameterKinds.contains(element.name) else {
            throw ControlError(name, .invalidValue, "<\(element.name)> is not an XEP-0325 parameter")
        }
        guard !name.isEmpty else { throw ControlError(name, .invalidValue, "<\(element.name)> has no name") }
        guard let text = element.attribute("value") else { throw ControlError(name, .invalidValue, "no value") }
        func invalid(_ what: String) -> ControlError { ControlError(name, .invalidValue, "'\(text)' is not \(what)") }
        switch element.name {
        case "boolean":
            switch text {
            case "true", "1": return ControlChange(name, .boolean(true))
            case "false", "0": return ControlChange(name, .boolean(false))
            default: throw invalid("an xs:boolean")
            }
        case "int", "long":
            guard let number = Int64(text) else { throw invalid("an integer") }
            return ControlChange(name, .int(number))
        case "double":
            guard let number = Double(text), number.isFinite else { throw invalid("a number") }
            return ControlChange(name, .double(number))
        case "color":
            guard let color = Color(hex: text) else { throw invalid("a colour (RRGGBB or RRGGBBAA)") }
            return ControlChange(name, .color(color))
        default:
            return ControlChange(name, .string(text))
        }
    }

    /// A `<set/>` of typed parameters (the client side), one per change, in order: what
    /// `changes(in:applier:)` reads back.
    package static func set(_ changes: [ControlChange]) -> XMLElement {
        XMLElement("set", namespace: namespace) {
            changes.map { change in
                let kind: String =
                    switch change.value {
                    case .boolean: "boolean"
                    case .int: "int"
                    case .double: "double"
                    case .color: "color"
                    case .string, .enumeration: "string"
                    }
                return XMLElement(kind, namespace: namespace, attributes: ["name": change.name, "value": change.value.description])
            }
        }
    }

    /// A value typed on a command line as the parameter type it looks like: `true`/`on`/`yes`
    /// (and their opposites) a boolean, `42` an int, `21.5` a double, `#FF8800` a colour,
    /// anything else a string.
    package static func guessValue(_ text: String) -> ControlValue {
        switch text.lowercased() {
        case "true", "on", "yes": return .boolean(true)
        case "false", "off", "no": return .boolean(false)
        default: break
        }
        if let number = Int64(text) { return .int(number) }
        if let number = Double(text), number.isFinite, text.contains(".") { return .double(number) }
        if text.hasPrefix("#"), let color = Color(hex: text) { return .color(color) }
        return .string(text)
    }

    /// The empty `<setResponse/>`: everything was applied.
    package static var setResponse: XMLElement {
        XMLElement("setResponse", namespace: namespace)
    }

    /// The stanza error for a change that was refused or failed, with `<paramError var=…>`
    /// naming the parameter:
    /// - unknown parameter → `cancel`/`item-not-found`;
    /// - bad value → `modify`/`bad-request`;
    /// - a previous set still running → `wait`/`conflict`;
    /// - the target failed → `internal-server-error`.
    package static func stanzaError(_ error: ControlError) -> StanzaError {
        let condition: StanzaError.Condition =
            switch error.kind {
            case .unknownParameter: .itemNotFound
            case .invalidValue: .badRequest
            case .busy: .conflict
            case .failed: .internalServerError
            }
        let kind: StanzaError.Kind? = error.kind == .busy ? .wait : nil
        return StanzaError(
            condition, kind: kind, text: error.description,
            application: XMLElement("paramError", namespace: namespace, attributes: ["var": error.parameter], text: error.message))
    }
}
