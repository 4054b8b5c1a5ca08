/// The presence status line as configured: text with `{placeholder}`s, `{{` and `}}` for
/// literal braces. `PresenceStatus.placeholders` lists the names and what they become.
package struct StatusTemplate: Sendable, Hashable {
    enum Part: Sendable, Hashable {
        case text(String)
        case placeholder(String)
    }

    let parts: [Part]

    /// `{health} · {sensors} sensors`: "ok · 6 sensors", "failing: temperature · 6 sensors".
    package static let standard = StatusTemplate(validated: "{health} · {sensors} sensors")

    /// A parse's outcome: the template, or what is wrong with the text (an unknown placeholder,
    /// an unclosed brace) for the config error, which adds the file and line. Not an `Error`:
    /// the config reader turns it into its own.
    package enum Parsed: Sendable, Hashable {
        case template(StatusTemplate)
        case problem(String)
    }

    /// Parses `text`, accepting the placeholders in `known`.
    package static func parse(_ text: String, known: Set<String> = PresenceStatus.placeholders) -> Parsed {
        var parts: [Part] = []
        var literal = ""
        var rest = Substring(text)
        while let c = rest.first {
            rest = rest.dropFirst()
            switch c {
            case "{" where rest.first == "{", "}" where rest.first == "}":
                literal.append(c)
                rest = rest.dropFirst()
            case "{":
                guard let close = rest.firstIndex(of: "}") else { return .problem("unclosed '{' in the status template") }
                let name = String(rest[..<close])
                guard known.contains(name) else {
                    let list = known.sorted().map { "{\($0)}" }.joined(separator: ", ")
                    return .problem("unknown placeholder {\(name)} in the status template (known: \(list))")
                }
                if !literal.isEmpty { parts.append(.text(literal)) }
                literal = ""
                parts.append(.placeholder(name))
                rest = rest[rest.index(after: close)...]
            case "}":
                return .problem("a lone '}' in the status template: write '}}' for a brace")
            default:
                literal.append(c)
            }
        }
        if !literal.isEmpty { parts.append(.text(literal)) }
        return .template(StatusTemplate(parts: parts))
    }

    private init(parts: [Part]) {
        self.parts = parts
    }

    private init(validated text: String) {
        guard case .template(let template) = Self.parse(text) else {
            preconditionFailure("the built-in status template is valid")
        }
        self = template
    }

    /// The line, with each placeholder replaced by `value(name)`.
    package func render(_ value: (String) -> String) -> String {
        var line = ""
        for part in parts {
            switch part {
            case .text(let text): line += text
            case .placeholder(let name): line += value(name)
            }
        }
        return line
    }
}
