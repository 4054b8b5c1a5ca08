import Support
import TOML

/// Reads the source-specific keys of a `[[sensor]]` table.
struct SourceReader {
    let table: TOMLTable
    let kind: String

    /// Each source kind and the keys it adds to a sensor table.
    static let keys: [String: Set<String>] = {
        var keys: [String: Set<String>] = [
            "thermal": ["zone", "zone_type"],
            "hwmon": ["chip", "attribute"],
            "iio": ["device", "channel"],
            "w1": ["device"],
            "proc": ["metric", "interface"],
            "filesystem": ["path", "metric"],
            "file": ["path", "pattern", "json", "radix"],
            "command": ["command", "timeout", "max_output", "pattern", "json", "radix"],
            "simulated": ["mean", "swing", "period", "noise", "walk", "min", "max"],
            "constant": ["value"],
            "gpio": ["chip", "line", "active_low", "bias", "edges", "debounce", "consumer"],
        ]
        for item in SystemItem.allCases { keys[item.rawValue] = [] }
        return keys
    }()

    func read() throws(TOMLError) -> SourceSpec {
        switch kind {
        case "thermal":
            return .thermal(zone: try table.string("zone"), type: try table.string("zone_type"))
        case "hwmon":
            return .hwmon(chip: try table.requireString("chip"), attribute: try table.requireString("attribute"))
        case "iio":
            return .iio(device: try table.requireString("device"), channel: try table.requireString("channel"))
        case "w1":
            return .oneWire(device: try table.string("device"))
        case "proc":
            let metric = try ProfileReader.choice(table, "metric", ProcMetric.allCases.map { ($0.rawValue, $0) })
            guard let metric else { throw table.error("missing key 'metric' for source \"proc\"", at: nil) }
            return .proc(metric, interface: try table.string("interface"))
        case "filesystem":
            let metric = try ProfileReader.choice(table, "metric", FilesystemMetric.allCases.map { ($0.rawValue, $0) })
            return .filesystem(path: try table.string("path") ?? "/", metric: metric ?? .usedPercent)
        case "file":
            let path = try table.requireString("path")
            if let problem = FileIO.regularFileProblem(path) {
                throw table.error("path \(path) is \(problem): a file source reads regular files (sysfs attributes, status files)", at: "path")
            }
            return .file(path: path, extraction: try Self.extraction(table))
        case "command":
            return .command(try Self.command(table, "command"), extraction: try Self.extraction(table))
        case "simulated":
            return .simulated(try simulated())
        case "constant":
            return .constant(try table.requireString("value"))
        case "gpio":
            return .gpio(try gpio())
        default:
            // The kind was checked against `keys`; what is left are the system items.
            guard let item = SystemItem(rawValue: kind) else { throw table.error("unknown source '\(kind)'", at: "source") }
            return .system(item)
        }
    }

    /// `pattern` or `json` (not both) and `radix`.
    static func extraction(_ table: TOMLTable) throws(TOMLError) -> Extraction {
        var extraction = Extraction()
        if let text = try table.string("pattern") {
            do {
                extraction.pattern = try TextPattern(text)
            } catch {
                throw table.error("pattern: \(error.message)", at: "pattern")
            }
        }
        if let text = try table.string("json") {
            guard extraction.pattern == nil else { throw table.error("use pattern or json, not both", at: "json") }
            do {
                extraction.jsonPath = try JSONPath(text)
            } catch {
                throw table.error("json path: \(error.message)", at: "json")
            }
        }
        let radix = try table.integer("radix") ?? 10
        guard radix == 10 || radix == 16 else { throw table.error("radix must be 10 or 16", at: "radix") }
        extraction.radix = Int(radix)
        return extraction
    }

    /// A command: a non-empty argv array (no shell: write `["sh", "-c", "...", "sh", "{value}"]`
    /// to use one on purpose), its `timeout` (default 10s) and `max_output` (default 64KiB).
    static func command(_ table: TOMLTable, _ key: String) throws(TOMLError) -> CommandSpec {
        let argv = try table.requireStringArray(key)
        guard let first = argv.first, !first.isEmpty else {
            throw table.error("\(key) must name a program: [\"/path/to/program\", \"arg\", ...]", at: key)
        }
        var spec = CommandSpec(argv: argv)
        if let timeout = try ProfileReader.positiveDuration(table, "timeout") { spec.timeout = timeout }
        if let cap = try table.byteSize("max_output") {
            guard cap > 0, cap <= 16 << 20 else { throw table.error("max_output must be between 1B and 16MiB", at: "max_output") }
            spec.maxOutput = Int(cap)
        }
        return spec
    }

    private func gpio() throws(TOMLError) -> GPIOInput {
        var input = GPIOInput(chip: try table.requireString("chip"), line: try Self.gpioLine(table))
        input.activeLow = try table.bool("active_low") ?? false
        input.bias = try ProfileReader.choice(table, "bias", GPIOBias.allCases.map { ($0.rawValue, $0) }) ?? .asIs
        input.edges = try ProfileReader.choice(table, "edges", GPIOEdges.allCases.map { ($0.rawValue, $0) }) ?? .both
        input.debounce = try table.duration("debounce") ?? .zero
        guard input.debounce >= .zero, input.debounce <= .seconds(60) else {
            throw table.error("debounce must be between 0 and 60s", at: "debounce")
        }
        input.consumer = try Self.gpioConsumer(table)
        return input
    }

    /// A GPIO line: an offset (`line = 17`) or the name the chip gives it (`line = "door"`).
    static func gpioLine(_ table: TOMLTable) throws(TOMLError) -> GPIOLineID {
        if let name = table["line"]?.stringValue {
            guard !name.isEmpty else { throw table.error("line must be an offset or a line name", at: "line") }
            return .name(name)
        }
        let line = try table.requireInteger("line")
        guard (0...Int64(UInt32.max)).contains(line) else { throw table.error("line must be a line offset (0 or more)", at: "line") }
        return .offset(UInt32(line))
    }

    /// The label the kernel shows for a held line, default `kinglet`.
    static func gpioConsumer(_ table: TOMLTable) throws(TOMLError) -> String {
        let consumer = try table.string("consumer") ?? "kinglet"
        guard !consumer.isEmpty, consumer.utf8.count <= 31 else {
            throw table.error("consumer must be 1 to 31 bytes (the kernel's label size)", at: "consumer")
        }
        return consumer
    }

    private func simulated() throws(TOMLError) -> SimulatedSignal {
        var signal = SimulatedSignal(mean: try table.requireDouble("mean"))
        signal.swing = try table.double("swing") ?? 0
        signal.period = try ProfileReader.positiveDuration(table, "period") ?? .seconds(600)
        signal.noise = try table.double("noise") ?? 0
        signal.walk = try table.double("walk") ?? 0
        signal.minimum = try table.double("min") ?? -.infinity
        signal.maximum = try table.double("max") ?? .infinity
        guard signal.noise >= 0, signal.walk >= 0 else { throw table.error("noise and walk cannot be negative", at: "noise") }
        guard signal.minimum <= signal.maximum else { throw table.error("min is above max", at: "min") }
        return signal
    }
}
