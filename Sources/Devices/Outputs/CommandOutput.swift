import Readings

/// A command that applies the value: each `{value}` in its argv is replaced by the value's text
/// within that one argument (no shell). An optional readback command prints the state.
struct CommandOutput: ControlOutput {
    let target: CommandTarget
    var blocking: Blocking { .slow }
    /// A write runs the command, then the read-back; the runner kills each at its time-out.
    var deadline: Duration { target.command.timeout + (target.readback?.timeout ?? .zero) + .seconds(1) }

    func prepare(_ definition: ControlDefinition) throws(DeviceError) -> ControlValue? {
        if let initial = definition.initial { return try write(initial, definition) }
        return try readBack(definition)
    }

    func write(_ value: ControlValue, _ definition: ControlDefinition) throws(DeviceError) -> ControlValue? {
        var command = target.command
        command.argv = Self.substitute(command.argv, value: value.description)
        let result = try CommandRunner.run(
            command, environment: [("KINGLET_CONTROL", definition.name), ("KINGLET_VALUE", value.description)])
        try result.check(command)
        return try readBack(definition)
    }

    func peek(_ definition: ControlDefinition) throws(DeviceError) -> ControlValue? {
        try readBack(definition)
    }

    /// argv with `{value}` replaced inside each element; the value never becomes more than one
    /// argument, whatever it contains.
    static func substitute(_ argv: [String], value: String) -> [String] {
        argv.map { element in
            var out = ""
            var rest = Substring(element)
            while let range = rest.locate("{value}") {
                out += rest[..<range.lowerBound] + value
                rest = rest[range.upperBound...]
            }
            return out + rest
        }
    }

    private func readBack(_ definition: ControlDefinition) throws(DeviceError) -> ControlValue? {
        guard let readback = target.readback else { return nil }
        let result = try CommandRunner.run(readback, environment: [("KINGLET_CONTROL", definition.name)])
        try result.check(readback)
        let raw = try target.extraction.apply(to: result.outputText, from: readback.argv[0])
        guard let value = definition.decode(raw) else {
            throw DeviceError("run \(readback.argv[0])", message: "read back a value that is not \(definition.type.rawValue)")
        }
        return value
    }
}
