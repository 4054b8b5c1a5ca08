import Support
package import Readings

/// What a source hands back before the profile's scale, offset and type are applied.
package enum RawValue: Sendable, Hashable {
    case number(Double)
    case text(String)
    case boolean(Bool)
}

extension SensorDefinition {
    /// Turns a raw source value into this sensor's typed field value: scale and offset for numbers,
    /// parsing for text, rounding to `decimals`. Garbage is an error, never a zero.
    package func value(from raw: RawValue) throws(DeviceError) -> FieldValue {
        switch valueType {
        case .numeric:
            return .numeric(NumberFormat.round(try scaled(raw), decimals), decimals: decimals)
        case .int:
            let n = try integer(raw)
            guard let i = Int32(exactly: n) else { throw garbage("\(n) does not fit a 32-bit int") }
            return .int(i)
        case .long:
            return .long(try integer(raw))
        case .boolean:
            switch raw {
            case .boolean(let b): return .boolean(b)
            case .number(let n): return .boolean(n * scale + offset != 0)
            case .text(let t):
                guard let b = BooleanText.parse(t) else { throw garbage("'\(Self.clip(t))' is not a boolean") }
                return .boolean(b)
            }
        case .string:
            return .string(text(raw))
        case .enumeration:
            let word = text(raw)
            if !enumValues.isEmpty, !enumValues.contains(word) {
                throw garbage("'\(Self.clip(word))' is not one of \(enumValues.joined(separator: ", "))")
            }
            return .enumeration(word, dataType: enumType)
        case .dateTime:
            if case .text(let t) = raw, let stamp = Timestamp(xsDateTime: t.trimmingSpaces) {
                return .dateTime(stamp)
            }
            return .dateTime(Timestamp(millisecondsSinceEpoch: Int64((try scaled(raw) * 1000).rounded())))
        case .duration:
            if case .text(let t) = raw, t.trimmingSpaces.hasPrefix("P") { return .duration(t.trimmingSpaces) }
            return .duration(DurationText.xsDuration(seconds: NumberFormat.round(try scaled(raw), decimals ?? 3)))
        }
    }

    private func scaled(_ raw: RawValue) throws(DeviceError) -> Double {
        let n: Double
        switch raw {
        case .number(let d): n = d
        case .boolean(let b): n = b ? 1 : 0
        case .text(let t):
            guard let d = Double(t.trimmingSpaces), d.isFinite else {
                throw garbage(t.trimmingSpaces.isEmpty ? "empty value" : "'\(Self.clip(t))' is not a number")
            }
            n = d
        }
        let value = n * scale + offset
        guard value.isFinite else { throw garbage("value out of range") }
        return value
    }

    private func integer(_ raw: RawValue) throws(DeviceError) -> Int64 {
        if scale == 1, offset == 0, case .text(let t) = raw, let exact = Int64(t.trimmingSpaces) {
            return exact
        }
        let d = try scaled(raw).rounded()
        guard abs(d) < 9.2e18 else { throw garbage("value out of range") }
        return Int64(d)
    }

    private func text(_ raw: RawValue) -> String {
        switch raw {
        case .text(let t): t.trimmingSpaces
        case .boolean(let b): b ? "true" : "false"
        case .number(let n): NumberFormat.shortest(n * scale + offset)
        }
    }

    private func garbage(_ message: String) -> DeviceError {
        DeviceError("convert \(name)", message: message)
    }

    /// Garbage shown in a message is cut short: it may be a whole file.
    static func clip(_ text: String) -> String {
        let t = text.trimmingSpaces
        return t.count <= 40 ? t : String(t.prefix(40)) + "…"
    }
}

/// xs:duration text from seconds, for uptime-like sensors: `P3DT4H5M6S`, `PT0.5S`.
package enum DurationText {
    package static func xsDuration(seconds: Double) -> String {
        guard seconds.isFinite else { return "PT0S" }
        let negative = seconds < 0
        var rest = abs(seconds)
        let days = Int64(rest / 86_400)
        rest -= Double(days) * 86_400
        let hours = Int64(rest / 3600)
        rest -= Double(hours) * 3600
        let minutes = Int64(rest / 60)
        rest -= Double(minutes) * 60
        var text = negative ? "-P" : "P"
        if days > 0 { text += "\(days)D" }
        var time = ""
        if hours > 0 { time += "\(hours)H" }
        if minutes > 0 { time += "\(minutes)M" }
        let secs = NumberFormat.round(rest, 3)
        if secs > 0 || (days == 0 && time.isEmpty) { time += NumberFormat.shortest(secs) + "S" }
        if !time.isEmpty { text += "T" + time }
        return text
    }
}
