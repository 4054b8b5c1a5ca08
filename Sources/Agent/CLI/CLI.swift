import Support

/// Exit statuses, chosen so systemd can tell a bad config (do not restart) from a failure.
package enum ExitStatus {
    package static let success: Int32 = 0
    package static let failure: Int32 = 1
    package static let usage: Int32 = 64  // EX_USAGE
    package static let config: Int32 = 78  // EX_CONFIG: the unit file lists it in RestartPreventExitStatus
    /// EX_TEMPFAIL: an operator asked for a restart (ad-hoc command "Restart agent"). Non-zero,
    /// so `Restart=on-failure` starts the agent again; the unit also names it in
    /// `RestartForceExitStatus` so any `Restart=` setting does.
    package static let restart: Int32 = 75
}

/// One `kinglet` subcommand.
package protocol CLICommand: Sendable {
    static var name: String { get }
    static var summary: String { get }
    static var usage: String { get }
    static var valueOptions: Set<String> { get }
    static var flagOptions: Set<String> { get }
    static func run(_ arguments: Arguments) async -> Int32
}

/// The entry point behind `kinglet`: picks the subcommand from an explicit list.
package enum CLI {
    /// Every subcommand, in the order `kinglet help` lists them.
    static let commands: [any CLICommand.Type] = [
        RunCommand.self,
        CheckCommand.self,
        ReadCommand.self,
        SetCommand.self,
        BufferCommand.self,
    ]

    /// `extraCommands`: subcommands of modules the agent does not link (the fleet console).
    package static func main(_ argv: [String], extraCommands: [any CLICommand.Type] = []) async -> Int32 {
        let commands = Self.commands + extraCommands
        let words = Array(argv.dropFirst())
        guard let first = words.first else {
            printError(helpText(commands))
            return ExitStatus.usage
        }
        switch first {
        case "--version", "version":
            print("kinglet \(KingletVersion.string)")
            return ExitStatus.success
        case "--help", "-h", "help":
            print(helpText(commands))
            return ExitStatus.success
        default:
            break
        }
        guard let command = commands.first(where: { $0.name == first }) else {
            printError("kinglet: unknown command '\(first)'\n\n" + helpText(commands))
            return ExitStatus.usage
        }
        let rest = Array(words.dropFirst())
        if rest.contains("--help") || rest.contains("-h") {
            print("usage: \(command.usage)\n\n\(command.summary)")
            return ExitStatus.success
        }
        do {
            let arguments = try Arguments(rest, valueOptions: command.valueOptions, flagOptions: command.flagOptions)
            return await command.run(arguments)
        } catch {
            printError("kinglet \(command.name): \(error)\nusage: \(command.usage)")
            return ExitStatus.usage
        }
    }

    static func helpText(_ commands: [any CLICommand.Type] = commands) -> String {
        var text = "kinglet \(KingletVersion.string): an XMPP agent for Linux single-board computers\n\nusage:\n"
        for command in commands {
            text += "  \(command.usage)\n      \(command.summary)\n"
        }
        text += "  kinglet --version\n"
        return text
    }
}
