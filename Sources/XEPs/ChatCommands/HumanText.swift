package import Devices
package import Readings

/// How readings and control values read for people, in chat replies and ad-hoc forms:
/// `21.53 °C`, `on`, `auto`, `error: read …: No such file or directory`.
package enum HumanText {
    /// The value with its unit; controls' booleans as `on`/`off`, other booleans as `yes`/`no`.
    static func value(of reading: Reading) -> String {
        guard let value = reading.value, !reading.qos.contains(.error) else {
            if reading.qos.contains(.missing) { return "not read yet" }
            return "error: " + (reading.errorText ?? "no value")
        }
        if case .boolean(let flag) = value {
            return reading.writable ? (flag ? "on" : "off") : (flag ? "yes" : "no")
        }
        return withUnit(value.text, reading.unit)
    }

    /// `temperature: 21.53 °C`.
    static func line(_ reading: Reading) -> String {
        "\(reading.name): \(value(of: reading))"
    }

    /// A control value as a person reads it: `on`, `42 %`, `auto`.
    package static func value(_ value: ControlValue, of control: ControlDefinition) -> String {
        switch value {
        case .boolean(let flag): flag ? "on" : "off"
        case .double, .int: withUnit(control.fieldValue(value).text, control.unit)
        default: value.description
        }
    }

    /// `3d 4h`, `2h 5m`, `5m 12s`, `40s`: two units at most.
    static func duration(_ duration: Duration) -> String {
        let total = max(0, duration.components.seconds)
        let (days, hours, minutes, seconds) = (total / 86_400, total / 3_600 % 24, total / 60 % 60, total % 60)
        if days > 0 { return "\(days)d \(hours)h" }
        if hours > 0 { return "\(hours)h \(minutes)m" }
        if minutes > 0 { return "\(minutes)m \(seconds)s" }
        return "\(seconds)s"
    }

    private static func withUnit(_ text: String, _ unit: String) -> String {
        unit.isEmpty ? text : text + " " + unit
    }
}

extension [ControlDefinition] {
    /// The control called `name`, ignoring case (people type `Relay`).
    package func named(_ name: String) -> ControlDefinition? {
        first { $0.name == name } ?? first { $0.name.lowercased() == name.lowercased() }
    }

    /// The sentence for a name that is no control: `no control named 'x'; controls: relay,
    /// dimmer`, or `temperature is a sensor and cannot be set; controls: …`.
    package func notAControl(_ name: String, sensors: [String]) -> String {
        let isSensor = sensors.contains { $0.lowercased() == name.lowercased() }
        return (isSensor ? "\(name) is a sensor and cannot be set" : "no control named '\(name.prefix(32))'")
            + (isEmpty ? "" : "; controls: " + map(\.name).joined(separator: ", "))
    }
}

extension ControlDefinition {
    /// What a value must be, in words: `on or off`, `a whole number between 0 and 100 %`,
    /// `one of auto, manual, off`.
    package var expectation: String {
        switch type {
        case .boolean: "on or off"
        case .int: "a whole number" + rangeText
        case .double: "a number" + rangeText
        case .enumeration: "one of " + values.joined(separator: ", ")
        case .string: maxLength.map { "text of at most \($0) characters" } ?? "text"
        case .color: "a colour written RRGGBB or RRGGBBAA"
        }
    }

    /// The sentence for a value that does not fit: `dimmer must be a whole number between 0 and
    /// 100 %, not 150`. The input is cut short so a reply never echoes a long text back.
    package func refusal(of text: String) -> String {
        let shown = text.trimmingSpaces
        let quoted = shown.count > 32 ? "'" + shown.prefix(32) + "…'" : (Double(shown) != nil ? shown : "'\(shown)'")
        return "\(name) must be \(expectation), not \(shown.isEmpty ? "nothing" : quoted)"
    }

    private var rangeText: String {
        let unitText = unit.isEmpty ? "" : " " + unit
        switch (minimum, maximum) {
        case (let low?, let high?): return " between \(NumberFormat.shortest(low)) and \(NumberFormat.shortest(high))" + unitText
        case (let low?, nil): return " of at least \(NumberFormat.shortest(low))" + unitText
        case (nil, let high?): return " of at most \(NumberFormat.shortest(high))" + unitText
        case (nil, nil): return ""
        }
    }
}
