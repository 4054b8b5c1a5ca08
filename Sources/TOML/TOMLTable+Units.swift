import Support

/// Durations and byte sizes, which both the agent config and device profiles need, written the
/// way people write them: `interval = "250ms"`, `max_size = "64MiB"`.
extension TOMLTable {
    /// `"250ms"`, `"30s"`, `"5m"`, `"2h"`, `"7d"` (a space before the unit and a decimal
    /// fraction are allowed), or a bare integer or float meaning seconds. Negative fails.
    package func duration(_ key: String) throws(TOMLError) -> Duration? {
        guard let value = self[key] else { return nil }
        let forms = "a duration such as \"250ms\", \"30s\", \"5m\", \"2h\" or \"7d\", or a number of seconds"
        let milliseconds: Double
        switch value {
        case .integer(let seconds):
            guard seconds >= 0 else { throw unitError(key, forms, value) }
            let (exact, overflow) = seconds.multipliedReportingOverflow(by: 1000)
            guard !overflow else { throw error("key \(describe(key)) is too large", at: key) }
            return .milliseconds(exact)
        case .float(let seconds):
            milliseconds = seconds * 1000
        case .string(let text):
            guard let quantity = Quantity(text), let perUnit = Self.millisecondsPerUnit[quantity.unit] else {
                throw unitError(key, forms, value)
            }
            if let whole = quantity.whole {
                let (exact, overflow) = whole.multipliedReportingOverflow(by: perUnit)
                guard !overflow else { throw error("key \(describe(key)) is too large", at: key) }
                return .milliseconds(exact)
            }
            milliseconds = quantity.value * Double(perUnit)
        default:
            throw unitError(key, forms, value)
        }
        guard milliseconds >= 0 else { throw unitError(key, forms, value) }
        guard milliseconds < 9e18 else { throw error("key \(describe(key)) is too large", at: key) }
        return .milliseconds(milliseconds)
    }

    /// A duration that must be at least `minimum` (zero would make a timer spin or a time-out
    /// fire at once): the error names the key and the minimum, written as `10ms` or `1s`.
    package func duration(_ key: String, atLeast minimum: Duration) throws(TOMLError) -> Duration? {
        guard let value = try duration(key) else { return nil }
        guard value >= minimum else {
            let milliseconds = minimum.milliseconds
            let text = milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
            throw error("\(key) must be at least \(text)", at: key)
        }
        return value
    }

    /// `"64MiB"`, `"500kB"`, `"1GB"` (units B, kB, MB, GB, TB, KiB, MiB, GiB, TiB; a space before
    /// the unit and a decimal fraction are allowed), or a bare integer meaning bytes. Fractions of
    /// a byte are rounded to the nearest byte. Negative fails.
    package func byteSize(_ key: String) throws(TOMLError) -> Int64? {
        guard let value = self[key] else { return nil }
        let forms = "a size such as \"500kB\", \"64MiB\" or \"1GB\" (units B, kB, MB, GB, TB, KiB, MiB, GiB, TiB), "
            + "or a number of bytes"
        switch value {
        case .integer(let bytes):
            guard bytes >= 0 else { throw unitError(key, forms, value) }
            return bytes
        case .string(let text):
            guard let quantity = Quantity(text), let perUnit = Self.bytesPerUnit[quantity.unit] else {
                throw unitError(key, forms, value)
            }
            if let whole = quantity.whole {
                let (exact, overflow) = whole.multipliedReportingOverflow(by: perUnit)
                guard !overflow else { throw error("key \(describe(key)) is too large", at: key) }
                return exact
            }
            let bytes = (quantity.value * Double(perUnit)).rounded()
            guard bytes < 9e18 else { throw error("key \(describe(key)) is too large", at: key) }
            return Int64(bytes)
        default:
            throw unitError(key, forms, value)
        }
    }

    private static let millisecondsPerUnit: [String: Int64] = [
        "ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000,
    ]

    private static let bytesPerUnit: [String: Int64] = [
        "B": 1, "kB": 1000, "MB": 1_000_000, "GB": 1_000_000_000, "TB": 1_000_000_000_000,
        "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40,
    ]

    private func unitError(_ key: String, _ forms: String, _ value: TOMLValue) -> TOMLError {
        let found =
            switch value {
            case .string(let text): "\"\(text)\""
            case .integer(let number): "\(number)"
            case .float(let number): "\(number)"
            default: value.typeWithArticle
            }
        return error("key \(describe(key)) must be \(forms); found \(found)", at: key)
    }
}

/// A non-negative decimal number followed by a unit: "250ms", "1.5 GiB".
private struct Quantity {
    /// The number when it has no fraction and fits, so that whole units stay exact.
    let whole: Int64?
    let value: Double
    let unit: String

    init?(_ text: String) {
        let bytes = Array(text.utf8)
        var end = 0
        while end < bytes.count, ASCII.isDigit(bytes[end]) { end += 1 }
        let integerEnd = end
        guard integerEnd > 0 else { return nil }
        if end < bytes.count, bytes[end] == ASCII.dot {
            end += 1
            let fractionStart = end
            while end < bytes.count, ASCII.isDigit(bytes[end]) { end += 1 }
            guard end > fractionStart else { return nil }
        }
        let number = String(decoding: bytes[..<end], as: UTF8.self)
        guard let value = Double(number) else { return nil }
        self.whole = end == integerEnd ? Int64(number) : nil
        self.value = value
        var unitStart = end
        if unitStart < bytes.count, bytes[unitStart] == ASCII.space { unitStart += 1 }
        self.unit = String(decoding: bytes[unitStart...], as: UTF8.self)
    }
}
