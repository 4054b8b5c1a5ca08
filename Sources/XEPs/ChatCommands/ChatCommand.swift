
/// One line of the chat command language: `help`, `status`, `read [NAME...]`, `set NAME VALUE`.
/// Command words are case-insensitive and spaces are free; a `set` value is the rest of the line,
/// so text values may hold spaces.
enum ChatCommand: Sendable, Hashable {
    case help
    case status
    /// Names as typed; empty means everything.
    case read([String])
    case set(name: String, value: String)
    /// A known command with the wrong arguments: the usage line to show.
    case usage(String)
    /// The first word, which is no command.
    case unknown(String)
    /// Nothing but spaces.
    case empty

    static let setUsage = "usage: set NAME VALUE (for example: set relay on)"

    /// Input that is no command: answered with a hint, which the throttle counts apart.
    var isUnknown: Bool {
        if case .unknown = self { true } else { false }
    }

    init(parsing text: String) {
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
            self = .read(words)
        case "set":
            guard words.count >= 2, let nameEnd = rest.firstIndex(where: \.isWhitespace) else {
                self = .usage(Self.setUsage)
                return
            }
            self = .set(name: String(rest[..<nameEnd]), value: rest[nameEnd...].trimmingSpaces)
        default:
            self = .unknown(String(line[..<verbEnd]))
        }
    }
}
