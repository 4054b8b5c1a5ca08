import TOML

/// Reads a parsed profile into a `DeviceProfile`, checking everything a person can get wrong
/// and failing at the line of the first problem: unknown keys (with a suggestion), an unknown
/// source or target kind, missing paths, limits that contradict a type, duplicate names.
struct ProfileReader {
    let root: TOMLTable
    let file: String

    func read() throws(TOMLError) -> DeviceProfile {
        try root.rejectUnknownKeys(allowed: ["device", "sensor", "control"])
        let device = try root.table("device") ?? TOMLTable(file: file, line: 1, path: "device")
        try device.rejectUnknownKeys(allowed: ["name", "description", "interval", "jitter", "seed"])
        let interval = try Self.interval(device, "interval") ?? .seconds(10)
        let jitter = try device.double("jitter") ?? 0
        guard (0...0.5).contains(jitter) else { throw device.error("jitter must be between 0 and 0.5", at: "jitter") }
        let seed = try device.integer("seed") ?? 1
        guard let intervalValue = interval else {
            throw device.error("the device interval cannot be \"once\"", at: "interval")
        }

        let sensorTables = try root.tableArray("sensor") ?? []
        let controlTables = try root.tableArray("control") ?? []
        guard !sensorTables.isEmpty || !controlTables.isEmpty else {
            throw root.error("the profile defines no [[sensor]] and no [[control]]", at: nil)
        }
        var seen: [String: Int] = [:]
        var sensors: [SensorDefinition] = []
        for table in sensorTables {
            let sensor = try SensorReader(table: table, defaultInterval: intervalValue).read()
            try Self.claim(sensor.name, in: table, seen: &seen)
            sensors.append(sensor)
        }
        var controls: [ControlDefinition] = []
        for table in controlTables {
            let control = try ControlReader(table: table).read()
            try Self.claim(control.name, in: table, seen: &seen)
            controls.append(control)
        }
        return DeviceProfile(
            name: try device.string("name") ?? Self.stem(file), file: file,
            description: try device.string("description") ?? "", sensors: sensors, controls: controls,
            jitter: jitter, seed: UInt64(bitPattern: seed))
    }

    /// Sensors and controls share one namespace: both are fields of the same readout.
    private static func claim(_ name: String, in table: TOMLTable, seen: inout [String: Int]) throws(TOMLError) {
        let line = table.line(of: "name") ?? table.line
        if let first = seen[name] {
            throw table.error("duplicate name '\(name)' (first defined at line \(first))", at: "name")
        }
        seen[name] = line
    }

    /// A name a person can type in a chat command and an XEP-0323 field name: 1 to 64
    /// characters, no spaces or control characters.
    static func name(_ table: TOMLTable) throws(TOMLError) -> String {
        let name = try table.requireString("name")
        guard !name.isEmpty, name.count <= 64 else { throw table.error("name must be 1 to 64 characters", at: "name") }
        guard !name.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F })
        else {
            throw table.error("name '\(name)' contains a space or control character", at: "name")
        }
        return name
    }

    /// A positive duration, or `"once"` (nil inside the optional).
    static func interval(_ table: TOMLTable, _ key: String) throws(TOMLError) -> Duration?? {
        if table[key]?.stringValue == "once" { return .some(nil) }
        guard let d = try table.duration(key, atLeast: .milliseconds(10)) else { return nil }
        return .some(d)
    }

    static func positiveDuration(_ table: TOMLTable, _ key: String) throws(TOMLError) -> Duration? {
        guard let d = try table.duration(key) else { return nil }
        guard d > .zero else { throw table.error("\(key) must be more than zero", at: key) }
        return d
    }

    /// One of a fixed set of words, failing with the list.
    static func choice<T>(_ table: TOMLTable, _ key: String, _ options: [(String, T)]) throws(TOMLError) -> T? {
        guard let word = try table.string(key) else { return nil }
        guard let match = options.first(where: { $0.0 == word }) else {
            throw table.error("unknown \(key) '\(word)' (expected \(options.map(\.0).joined(separator: ", ")))", at: key)
        }
        return match.1
    }

    private static func stem(_ path: String) -> String {
        let base = path.split(separator: "/").last.map(String.init) ?? path
        return base.hasSuffix(".toml") ? String(base.dropLast(5)) : base
    }
}
