import Support

// Placeholder until its issue lands; replaced by the real command.
enum ReadCommand: CLICommand {
    static let name = "read"
    static let summary = "Print the device's current readings, no server needed."
    static let usage = "kinglet read --profile PROFILE [--watch]"
    static let valueOptions: Set<String> = []
    static let flagOptions: Set<String> = []
    static func run(_ arguments: Arguments) async -> Int32 {
        printError("kinglet read: not built yet")
        return ExitStatus.failure
    }
}
