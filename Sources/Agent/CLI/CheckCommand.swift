import Support

// Placeholder until its issue lands; replaced by the real command.
enum CheckCommand: CLICommand {
    static let name = "check"
    static let summary = "Validate a config (and the profile it names) or a device profile."
    static let usage = "kinglet check --config FILE | --profile FILE"
    static let valueOptions: Set<String> = []
    static let flagOptions: Set<String> = []
    static func run(_ arguments: Arguments) async -> Int32 {
        printError("kinglet check: not built yet")
        return ExitStatus.failure
    }
}
