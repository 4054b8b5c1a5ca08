import Support

// Placeholder until its issue lands; replaced by the real command.
enum BufferCommand: CLICommand {
    static let name = "buffer"
    static let summary = "Inspect the reading outbox, also while the agent runs."
    static let usage = "kinglet buffer stats|export --config FILE [--format csv|jsonl]"
    static let valueOptions: Set<String> = []
    static let flagOptions: Set<String> = []
    static func run(_ arguments: Arguments) async -> Int32 {
        printError("kinglet buffer: not built yet")
        return ExitStatus.failure
    }
}
