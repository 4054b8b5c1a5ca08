import TOML
import Readings

/// Reads one `[[sensor]]` table.
struct SensorReader {
    let table: TOMLTable
    let defaultInterval: Duration

    static let commonKeys: Set<String> = [
        "name", "source", "unit", "description", "field_type", "value_type", "enum_type", "values", "scale", "offset",
        "decimals", "interval", "deadband", "min_interval", "max_age", "optional",
    ]

    func read() throws(TOMLError) -> SensorDefinition {
        let name = try ProfileReader.name(table)
        let kind = try table.requireString("source")
        guard let keys = SourceReader.keys[kind] else {
            let known = SourceReader.keys.keys.sorted().joined(separator: ", ")
            throw table.error("unknown source '\(kind)' for sensor '\(name)' (expected one of: \(known))", at: "source")
        }
        try table.rejectUnknownKeys(allowed: Self.commonKeys.union(keys))
        let source = try SourceReader(table: table, kind: kind).read()
        let defaults = SensorDefaults(source)

        let fieldType = try ProfileReader.choice(table, "field_type", FieldType.allCases.map { ($0.rawValue, $0) })
            ?? defaults.fieldType
        let valueType = try ProfileReader.choice(table, "value_type", ValueType.allCases.map { ($0.rawValue, $0) })
            ?? defaults.valueType
        let decimals = try table.integer("decimals").map(Int.init) ?? defaults.decimals
        if let decimals, !(0...12).contains(decimals) { throw table.error("decimals must be between 0 and 12", at: "decimals") }
        let values = try table.stringArray("values") ?? []
        if !values.isEmpty, valueType != .enumeration {
            throw table.error("values is only for value_type = \"enum\"", at: "values")
        }
        let interval: Duration?
        if let given = try ProfileReader.interval(table, "interval") {
            interval = given
        } else {
            interval = fieldType == .identity || defaults.once ? nil : defaultInterval
        }
        // A default unit belongs to a number; a duration or a string has none.
        let numeric = [.numeric, .int, .long].contains(valueType)
        return SensorDefinition(
            name: name, source: source, unit: try table.string("unit") ?? (numeric ? defaults.unit : ""),
            description: try table.string("description") ?? "", fieldType: fieldType, valueType: valueType,
            enumType: try table.string("enum_type"), enumValues: values,
            scale: try finite("scale") ?? defaults.scale, offset: try finite("offset") ?? 0, decimals: decimals,
            interval: interval, filter: try filter(), optional: try table.bool("optional") ?? false)
    }

    private func filter() throws(TOMLError) -> ChangeFilter {
        let deadband = try finite("deadband") ?? 0
        guard deadband >= 0 else { throw table.error("deadband cannot be negative", at: "deadband") }
        return ChangeFilter(
            deadband: deadband, minInterval: try table.duration("min_interval") ?? .zero,
            maxAge: try ProfileReader.positiveDuration(table, "max_age"))
    }

    private func finite(_ key: String) throws(TOMLError) -> Double? {
        guard let d = try table.double(key) else { return nil }
        guard d.isFinite else { throw table.error("\(key) must be a finite number", at: key) }
        return d
    }
}

/// What a sensor gets when the profile does not say: the kernel's units scaled to the usual
/// ones (millidegrees to °C, IIO kilopascals to hPa), identity fields read once.
struct SensorDefaults {
    var unit = ""
    var scale = 1.0
    var decimals: Int?
    var valueType = ValueType.numeric
    var fieldType = FieldType.momentary
    var once = false

    init(_ source: SourceSpec) {
        switch source {
        case .thermal, .oneWire:
            (unit, scale, decimals) = ("°C", 0.001, 1)
        case .hwmon(_, let attribute):
            (unit, scale, decimals) = Self.hwmon(attribute)
        case .iio(_, let channel):
            let bare = channel.hasPrefix("in_") ? String(channel.dropFirst(3)) : channel
            if bare.hasPrefix("temp") { (unit, scale, decimals) = ("°C", 0.001, 1) }
            if bare.hasPrefix("humidityrelative") { (unit, scale, decimals) = ("%", 0.001, 1) }
            if bare.hasPrefix("pressure") { (unit, scale, decimals) = ("hPa", 10, 1) }
        case .proc(let metric, _):
            switch metric {
            case .load1, .load5, .load15: decimals = 2
            case .memoryTotal, .memoryAvailable, .memoryUsed, .networkReceived, .networkSent: (unit, decimals) = ("B", 0)
            case .memoryUsedPercent, .swapUsedPercent: (unit, decimals) = ("%", 1)
            case .uptime: (unit, decimals) = ("s", 0)
            case .processes: valueType = .int
            }
        case .filesystem(_, let metric):
            (unit, decimals) = metric == .usedPercent || metric == .inodesUsedPercent ? ("%", 1) : ("B", 0)
        case .system, .constant:
            (valueType, fieldType, once) = (.string, .identity, true)
        case .gpio:
            valueType = .boolean
        case .file, .command, .simulated:
            break
        }
    }

    private static func hwmon(_ attribute: String) -> (String, Double, Int?) {
        for (prefix, unit, scale, decimals) in [
            ("temp", "°C", 0.001, 1), ("in", "V", 0.001, 3), ("curr", "A", 0.001, 3), ("power", "W", 1e-6, 2),
            ("energy", "J", 1e-6, 0), ("humidity", "%", 0.001, 1), ("fan", "RPM", 1, 0), ("pwm", "", 1, 0),
        ] where attribute.hasPrefix(prefix) {
            return (unit, scale, decimals)
        }
        return ("", 1, nil)
    }
}
