import Support

// Placeholder until its issue lands; replaced by the real command.
enum RunCommand: CLICommand {
    static let name = "run"
    static let summary = "Run the agent in the foreground."
    static let usage = "kinglet run --config FILE"
    static let valueOptions: Set<String> = []
    static let flagOptions: Set<String> = []
    static func run(_ arguments: Arguments) async -> Int32 {
        printError("kinglet run: not built yet")
        return ExitStatus.failure
    }
}
