/// A command's standard output, cut down by the extraction. A non-zero exit is a failed read
/// (with the first line of stderr as the reason), never a value.
struct CommandSource: SensorSource {
    let command: CommandSpec
    let extraction: Extraction
    var blocking: Blocking { .slow }
    /// The runner kills the command at its own time-out; the second more is for the kill.
    var deadline: Duration { command.timeout + .seconds(1) }

    func read(at time: Duration) throws(DeviceError) -> RawValue {
        let result = try CommandRunner.run(command)
        try result.check(command)
        return try extraction.apply(to: result.outputText, from: command.argv[0])
    }
}

extension CommandResult {
    /// Throws unless the command exited with status 0; the reason quotes stderr's first line.
    func check(_ command: CommandSpec) throws(DeviceError) {
        if status == 0 { return }
        let firstLine = String(decoding: errorOutput, as: UTF8.self).split(separator: "\n").first.map { $0.trimmingSpaces } ?? ""
        let how = status.map { "exited with status \($0)" } ?? "killed by signal \(signal ?? 0)"
        throw DeviceError(
            "run \(command.argv[0])", message: firstLine.isEmpty ? how : how + ": " + SensorDefinition.clip(firstLine))
    }
}
