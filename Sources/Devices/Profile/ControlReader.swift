import TOML
import Readings

/// Reads one `[[control]]` table and its target, and checks that limits fit the type.
struct ControlReader {
    let table: TOMLTable

    static let keys: Set<String> = [
        "name", "type", "unit", "description", "min", "max", "values", "max_length", "decimals", "field_type",
        "initial", "restore", "target",
    ]

    func read() throws(TOMLError) -> ControlDefinition {
        let name = try ProfileReader.name(table)
        try table.rejectUnknownKeys(allowed: Self.keys)
        let typeName = try table.requireString("type")
        guard let type = ControlType(rawValue: typeName) else {
            let known = ControlType.allCases.map(\.rawValue).joined(separator: ", ")
            throw table.error("unknown control type '\(typeName)' for '\(name)' (expected one of: \(known))", at: "type")
        }
        var control = ControlDefinition(name: name, type: type, target: try TargetReader(control: table).read(type))
        control.unit = try table.string("unit") ?? ""
        control.description = try table.string("description") ?? ""
        control.fieldType = try ProfileReader.choice(table, "field_type", FieldType.allCases.map { ($0.rawValue, $0) }) ?? .status
        try readLimits(into: &control)
        if let initial = table["initial"] {
            control.initial = try initialValue(initial, control)
        }
        control.restore = try ProfileReader.choice(table, "restore", ControlRestore.allCases.map { ($0.rawValue, $0) }) ?? .last
        return control
    }

    /// `min`/`max` only for numbers (and whole for `int`), `values` only and always for `enum`,
    /// `max_length` only for `string`, `decimals` only for `double`.
    private func readLimits(into control: inout ControlDefinition) throws(TOMLError) {
        let numeric = control.type == .int || control.type == .double
        for key in ["min", "max"] where table[key] != nil && !numeric {
            throw table.error("\(key) does not apply to a \(control.type.rawValue) control", at: key)
        }
        control.minimum = try table.double("min")
        control.maximum = try table.double("max")
        if control.type == .int {
            for key in ["min", "max"] where table[key] != nil && table[key]?.integerValue == nil {
                throw table.error("\(key) of an int control must be an integer", at: key)
            }
        }
        if let low = control.minimum, let high = control.maximum, low > high {
            throw table.error("min (\(NumberFormat.shortest(low))) is above max (\(NumberFormat.shortest(high)))", at: "min")
        }
        if let values = try table.stringArray("values") {
            guard control.type == .enumeration else {
                throw table.error("values only apply to an enum control", at: "values")
            }
            guard !values.isEmpty else { throw table.error("an enum control needs at least one value", at: "values") }
            if let repeated = values.enumerated().first(where: { values[..<$0.offset].contains($0.element) }) {
                throw table.error("value '\(repeated.element)' is listed twice", at: "values")
            }
            control.values = values
        } else if control.type == .enumeration {
            throw table.error("missing key 'values' for enum control '\(control.name)'", at: "type")
        }
        if let length = try table.integer("max_length") {
            guard control.type == .string else { throw table.error("max_length only applies to a string control", at: "max_length") }
            guard length > 0 else { throw table.error("max_length must be positive", at: "max_length") }
            control.maxLength = Int(length)
        }
        if let decimals = try table.integer("decimals") {
            guard control.type == .double else { throw table.error("decimals only apply to a double control", at: "decimals") }
            guard (0...12).contains(decimals) else { throw table.error("decimals must be between 0 and 12", at: "decimals") }
            control.decimals = Int(decimals)
        }
        if case .gpio = control.target, control.type != .boolean {
            throw table.error("a gpio target needs a boolean control, not \(control.type.rawValue)", at: "type")
        }
    }

    /// The initial value in the control's type, within its limits.
    private func initialValue(_ value: TOMLValue, _ control: ControlDefinition) throws(TOMLError) -> ControlValue {
        let candidate: ControlValue?
        switch control.type {
        case .boolean: candidate = value.boolValue.map(ControlValue.boolean)
        case .int: candidate = value.integerValue.map(ControlValue.int)
        case .double: candidate = value.doubleValue.map(ControlValue.double)
        case .string: candidate = value.stringValue.map(ControlValue.string)
        case .enumeration: candidate = value.stringValue.map(ControlValue.enumeration)
        case .color: candidate = value.stringValue.map(ControlValue.string)
        }
        guard let candidate else {
            throw table.error("initial must be \(control.type.rawValue), not a \(value.typeName)", at: "initial")
        }
        do {
            return try control.validate(candidate)
        } catch {
            throw table.error("initial: \(error.message)", at: "initial")
        }
    }
}

/// Reads a control's `target`: `"simulated"`, or a table with `kind` and its keys.
struct TargetReader {
    let control: TOMLTable

    static let keys: [String: Set<String>] = [
        "sysfs": ["path", "on", "off", "scale", "offset", "setup", "readback"],
        "gpio": ["chip", "line", "active_low", "drive", "bias", "consumer"],
        "command": ["command", "timeout", "max_output", "readback", "pattern", "json", "radix"],
        "simulated": [],
    ]

    func read(_ type: ControlType) throws(TOMLError) -> OutputSpec {
        if control["target"]?.stringValue == "simulated" { return .simulated }
        if let word = control["target"]?.stringValue {
            throw control.error("target must be \"simulated\" or a table with a kind, not \"\(word)\"", at: "target")
        }
        let table = try control.requireTable("target")
        let kind = try table.requireString("kind")
        guard let keys = Self.keys[kind] else {
            throw table.error("unknown target kind '\(kind)' (expected one of: command, gpio, simulated, sysfs)", at: "kind")
        }
        try table.rejectUnknownKeys(allowed: keys.union(["kind"]))
        switch kind {
        case "sysfs": return .sysfs(try sysfs(table))
        case "gpio": return .gpio(try gpio(table))
        case "command":
            return .command(
                CommandTarget(
                    command: try SourceReader.command(table, "command"),
                    readback: table["readback"] == nil ? nil : try SourceReader.command(table, "readback"),
                    extraction: try SourceReader.extraction(table)))
        default: return .simulated
        }
    }

    private func sysfs(_ table: TOMLTable) throws(TOMLError) -> SysfsTarget {
        var target = SysfsTarget(path: try table.requireString("path"))
        target.onText = try table.string("on") ?? "1"
        target.offText = try table.string("off") ?? "0"
        target.scale = try table.double("scale") ?? 1
        target.offset = try table.double("offset") ?? 0
        guard target.scale != 0, target.scale.isFinite else { throw table.error("scale must be a non-zero number", at: "scale") }
        target.readback = try table.bool("readback") ?? true
        if let setup = try table.table("setup") {
            for path in setup.keys {
                guard let value = try setup.string(path) else { continue }
                target.setup.append(SysfsWrite(path: path, value: value))
            }
        }
        return target
    }

    private func gpio(_ table: TOMLTable) throws(TOMLError) -> GPIOTarget {
        var target = GPIOTarget(chip: try table.requireString("chip"), line: try SourceReader.gpioLine(table))
        target.activeLow = try table.bool("active_low") ?? false
        target.drive = try ProfileReader.choice(table, "drive", GPIODrive.allCases.map { ($0.rawValue, $0) }) ?? .pushPull
        target.bias = try ProfileReader.choice(table, "bias", GPIOBias.allCases.map { ($0.rawValue, $0) }) ?? .asIs
        target.consumer = try SourceReader.gpioConsumer(table)
        return target
    }
}
