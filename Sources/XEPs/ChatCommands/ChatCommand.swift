
/// One line of the chat command language: `help`, `status`, `read [NAME...] [SPAN]`,
/// `set NAME VALUE [NAME VALUE...]`. Command words are case-insensitive and spaces are free.
enum ChatCommand: Sendable, Hashable {
    /// One `NAME VALUE` of a `set`.
    struct Assignment: Sendable, Hashable {
        var name: String
        var value: String

        init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    case help
    case status
    /// Names as typed; empty means everything.
    case read([String])
    /// `read temperature 1h`: what the history holds of these over the last `span`.
    case history([String], span: Duration)
    /// In the order typed; they are validated together and applied in this order.
    case set([Assignment])
    /// A known command with the wrong arguments: the usage line to show.
    case usage(String)
    /// The first word, which is no command.
    case unknown(String)
    /// Nothing but spaces.
    case empty

    static let setUsage = "usage: set NAME VALUE [NAME VALUE...] (for example: set relay on dimmer 40)"

    /// Input that is no command: answered with a hint, which the throttle counts apart.
    var isUnknown: Bool {
        if case .unknown = self { true } else { false }
    }

    /// `controls`: the device's control names, which tell `set relay on dimmer 40` (two
    /// assignments: every other word names a control) from `set label hello world` (one, whose
    /// text value is the rest of the line and may hold spaces).
    init(parsing text: String, controls: [String] = []) {
        let line = text.trimmingSpaces
        guard let verbEnd = line.firstIndex(where: \.isWhitespace) ?? (line.isEmpty ? nil : line.endIndex) else {
            self = .empty
            return
        }
        let verb = line[..<verbEnd].lowercased()
        let rest = line[verbEnd...].trimmingSpaces
        let words = rest.split(whereSeparator: \.isWhitespace).map(String.init)
        switch verb {
        case "help", "?", "commands":
            self = .help
        case "status":
            self = .status
        case "read", "get":
            if words.count >= 2, let span = Self.span(words[words.count - 1]) {
                self = .history(Array(words.dropLast()), span: span)
            } else {
                self = .read(words)
            }
        case "set":
            guard words.count >= 2, let nameEnd = rest.firstIndex(where: \.isWhitespace) else {
                self = .usage(Self.setUsage)
                return
            }
            let known = Set(controls.map { $0.lowercased() })
            let names = stride(from: 0, to: words.count, by: 2).map { words[$0] }
            if words.count >= 4, words.count % 2 == 0, names.allSatisfy({ known.contains($0.lowercased()) }) {
                self = .set(names.indices.map { Assignment(words[2 * $0], words[2 * $0 + 1]) })
            } else {
                self = .set([Assignment(String(rest[..<nameEnd]), rest[nameEnd...].trimmingSpaces)])
            }
        default:
            self = .unknown(String(line[..<verbEnd]))
        }
    }

    /// A span as `span(_:)` reads it: `90s`, `30m`, `1h`, `7d`.
    static func spanText(_ span: Duration) -> String {
        let seconds = span.components.seconds
        for (unit, size) in [("d", Int64(86_400)), ("h", 3600), ("m", 60)] where seconds % size == 0 {
            return "\(seconds / size)\(unit)"
        }
        return "\(seconds)s"
    }

    /// `90s`, `30m`, `1h`, `7d`: a whole number and a unit.
    static func span(_ word: String) -> Duration? {
        guard let unit = word.last, let count = Int64(word.dropLast()), count > 0, count <= 3650 else { return nil }
        switch unit {
        case "s": return .seconds(count)
        case "m": return .seconds(count * 60)
        case "h": return .seconds(count * 3600)
        case "d": return .seconds(count * 86_400)
        default: return nil
        }
    }
}
