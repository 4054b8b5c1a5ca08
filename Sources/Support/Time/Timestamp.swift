import Glibc

/// A point in UTC time with millisecond precision: what readings, `<delay stamp>` and
/// XEP-0323 `from`/`to` need, without Foundation's `Date`.
package struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    package var millisecondsSinceEpoch: Int64

    package init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    package init(secondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = secondsSinceEpoch * 1000
    }

    /// The current wall-clock time (CLOCK_REALTIME).
    package static func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(millisecondsSinceEpoch: Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000)
    }

    package static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    package func adding(milliseconds: Int64) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: millisecondsSinceEpoch + milliseconds)
    }

    /// XEP-0082 dateTime in UTC: `2024-01-01T12:00:00Z`, or `2024-01-01T12:00:00.250Z` when
    /// the milliseconds are not zero.
    package var xsDateTime: String {
        let seconds = millisecondsSinceEpoch.floorDivided(by: 1000)
        let millis = Int(millisecondsSinceEpoch - seconds * 1000)
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        var text = pad(Int(parts.tm_year) + 1900, 4) + "-" + pad(Int(parts.tm_mon) + 1, 2) + "-"
            + pad(Int(parts.tm_mday), 2) + "T" + pad(Int(parts.tm_hour), 2) + ":" + pad(Int(parts.tm_min), 2)
            + ":" + pad(Int(parts.tm_sec), 2)
        if millis != 0 { text += "." + pad(millis, 3) }
        return text + "Z"
    }

    package var description: String { xsDateTime }

    /// Parses an XEP-0082 dateTime: `CCYY-MM-DDThh:mm:ss[.s+](Z|+hh:mm|-hh:mm)`.
    /// A value without a zone is taken as UTC, which is what XEP-0323 senders mean in practice.
    package init?(xsDateTime text: String) {
        let b = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var value = 0
            for i in from..<(from + count) {
                guard b[i] >= 48 && b[i] <= 57 else { return nil }
                value = value * 10 + Int(b[i] - 48)
            }
            return value
        }
        guard b.count >= 19, b[4] == 45, b[7] == 45, b[10] == 84 || b[10] == 116, b[13] == 58, b[16] == 58,
            let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
            (1...12).contains(month), (1...Self.days(inMonth: month, of: year)).contains(day), hour < 24, minute < 60,
            second < 61
        else { return nil }
        var index = 19
        var millis = 0
        if index < b.count, b[index] == 46 {
            index += 1
            var digits = 0
            while index < b.count, b[index] >= 48, b[index] <= 57 {
                if digits < 3 { millis = millis * 10 + Int(b[index] - 48) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            // Scale `.5` and `.25` to milliseconds; digits past the third were dropped above.
            if digits < 3 { for _ in digits..<3 { millis *= 10 } }
        }
        var offsetMinutes = 0
        if index < b.count {
            if b[index] == 90 || b[index] == 122 {
                index += 1
            } else if b[index] == 43 || b[index] == 45, let oh = number(index + 1, 2), b.count > index + 3,
                b[index + 3] == 58, let om = number(index + 4, 2), oh * 60 + om <= 14 * 60, om < 60
            {
                offsetMinutes = (oh * 60 + om) * (b[index] == 45 ? -1 : 1)
                index += 6
            } else {
                return nil
            }
        }
        guard index == b.count else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let seconds = Int64(timegm(&parts)) - Int64(offsetMinutes * 60)
        self.init(millisecondsSinceEpoch: seconds * 1000 + Int64(millis))
        // An offset or a leap second can carry a date past year 9999 (or before year 1), which
        // `xsDateTime` could not write back as a four-digit year.
        guard Self.writable.contains(millisecondsSinceEpoch) else { return nil }
    }

    /// 0001-01-01T00:00:00Z through 9999-12-31T23:59:59.999Z.
    static let writable: ClosedRange<Int64> = -62_135_596_800_000...253_402_300_799_999

    static func days(inMonth month: Int, of year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

private func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}

extension Int64 {
    /// Division that rounds toward negative infinity, for times before 1970.
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let q = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? q - 1 : q
    }
}
