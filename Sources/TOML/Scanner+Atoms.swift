/// Values written without quotes or brackets: booleans, integers, floats and date-times.
extension Scanner {
    /// Reads the value at the cursor; the token runs up to the first byte that no such value
    /// can contain (space, comma, bracket, brace, comment, newline).
    mutating func parseAtom() throws(TOMLError) -> TOMLValue {
        let start = pos
        var end = atomEnd(from: start)
        // A date and a time may be separated by one space: 1979-05-27 07:32:00.
        if end - start == 10, DateTimeSyntax.isDate(bytes[start..<end]), end + 3 < bytes.count,
            bytes[end] == ASCII.space, ASCII.isDigit(bytes[end + 1]), ASCII.isDigit(bytes[end + 2]),
            bytes[end + 3] == ASCII.colon
        {
            end = atomEnd(from: end + 1)
        }
        guard end > start else { throw error("expected a value, found \(currentDescription)") }
        let token = bytes[start..<end]
        let text = String(decoding: token, as: UTF8.self)
        let value = try atomValue(token, text: text)
        advance(end - start)
        return value
    }

    private func atomEnd(from start: Int) -> Int {
        var end = start
        while end < bytes.count {
            let c = bytes[end]
            guard ASCII.isBareKey(c) || c == ASCII.plus || c == ASCII.dot || c == ASCII.colon else { break }
            end += 1
        }
        return end
    }

    private func atomValue(_ token: ArraySlice<UInt8>, text: String) throws(TOMLError) -> TOMLValue {
        switch text {
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan", "-nan": return .float(.nan)
        default: break
        }
        if DateTimeSyntax.looksLikeDateTime(token) {
            guard DateTimeSyntax.isValid(token) else { throw error("invalid date-time '\(text)'") }
            return .dateTime(text)
        }
        guard let first = token.first, ASCII.isDigit(first) || first == ASCII.plus || first == ASCII.minus else {
            let hint = token.first.map(ASCII.isLetter) == true ? " (strings must be quoted)" : ""
            throw error("invalid value '\(text)'\(hint)")
        }
        let radixPrefix = token.count > 2 && first == UInt8(ascii: "0") && "xob".utf8.contains(token[token.startIndex + 1])
        if !radixPrefix, token.contains(where: { $0 == ASCII.dot || $0 | 0x20 == UInt8(ascii: "e") }) {
            return .float(try floatValue(token, text: text))
        }
        return .integer(try integerValue(token, text: text))
    }

    /// Decimal with an optional sign, or unsigned hexadecimal, octal or binary with a prefix;
    /// underscores only between digits; leading zeros and values beyond 64 bits rejected.
    private func integerValue(_ token: ArraySlice<UInt8>, text: String) throws(TOMLError) -> Int64 {
        var digits = token
        var radix: UInt64 = 10
        var negative = false
        if token.count > 2, token.first == UInt8(ascii: "0") {
            switch token[token.startIndex + 1] {
            case UInt8(ascii: "x"): radix = 16
            case UInt8(ascii: "o"): radix = 8
            case UInt8(ascii: "b"): radix = 2
            case let c where ASCII.isDigit(c) || c == ASCII.underscore:
                throw error("leading zeros are not allowed in '\(text)'")
            default: throw error("invalid integer '\(text)'")
            }
            digits = token.dropFirst(2)
        } else if let sign = token.first, sign == ASCII.plus || sign == ASCII.minus {
            negative = sign == ASCII.minus
            digits = token.dropFirst()
        }
        guard Self.isDigitRun(digits, radix: radix) else { throw error("invalid integer '\(text)'") }
        if radix == 10, digits.count > 1, digits.first == UInt8(ascii: "0") {
            throw error("leading zeros are not allowed in '\(text)'")
        }
        var magnitude: UInt64 = 0
        for c in digits where c != ASCII.underscore {
            let (shifted, overflow1) = magnitude.multipliedReportingOverflow(by: radix)
            let (sum, overflow2) = shifted.addingReportingOverflow(UInt64(ASCII.hexValue(c)!))
            guard !overflow1, !overflow2 else { throw error("integer '\(text)' does not fit in 64 bits") }
            magnitude = sum
        }
        guard magnitude <= (negative ? UInt64(1) << 63 : UInt64(Int64.max)) else {
            throw error("integer '\(text)' does not fit in 64 bits")
        }
        return negative ? Int64(bitPattern: 0 &- magnitude) : Int64(magnitude)
    }

    /// An integer part (sign allowed, no leading zeros), then a fraction, an exponent or both.
    private func floatValue(_ token: ArraySlice<UInt8>, text: String) throws(TOMLError) -> Double {
        let invalid = error("invalid float '\(text)'")
        var i = token.startIndex
        if token[i] == ASCII.plus || token[i] == ASCII.minus { i += 1 }
        let integerPart = i..<Self.runEnd(token, from: i)
        guard Self.isDigitRun(token[integerPart], radix: 10) else { throw invalid }
        if integerPart.count > 1, token[i] == UInt8(ascii: "0") {
            throw error("leading zeros are not allowed in '\(text)'")
        }
        i = integerPart.upperBound
        if i < token.endIndex, token[i] == ASCII.dot {
            let fraction = i + 1..<Self.runEnd(token, from: i + 1)
            guard Self.isDigitRun(token[fraction], radix: 10) else { throw invalid }
            i = fraction.upperBound
        }
        if i < token.endIndex, token[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            if i < token.endIndex, token[i] == ASCII.plus || token[i] == ASCII.minus { i += 1 }
            let exponent = i..<Self.runEnd(token, from: i)
            guard Self.isDigitRun(token[exponent], radix: 10) else { throw invalid }
            i = exponent.upperBound
        }
        guard i == token.endIndex, let value = Double(String(decoding: token.filter { $0 != ASCII.underscore }, as: UTF8.self))
        else { throw invalid }
        return value
    }

    /// Where a run of digits and underscores starting at `start` ends.
    private static func runEnd(_ token: ArraySlice<UInt8>, from start: Int) -> Int {
        var end = start
        while end < token.endIndex, ASCII.isDigit(token[end]) || token[end] == ASCII.underscore { end += 1 }
        return end
    }

    /// Digits of `radix`, at least one, with each underscore between two digits.
    private static func isDigitRun(_ run: ArraySlice<UInt8>, radix: UInt64) -> Bool {
        guard let first = run.first, let last = run.last, first != ASCII.underscore, last != ASCII.underscore else {
            return false
        }
        var previous: UInt8 = 0
        for c in run {
            if c == ASCII.underscore {
                if previous == ASCII.underscore { return false }
            } else if ASCII.hexValue(c).map({ UInt64($0) < radix }) != true {
                return false
            }
            previous = c
        }
        return true
    }
}

/// The four date-time forms of TOML 1.0 (RFC 3339 with a few liberties), checked against the
/// calendar: offset date-time, local date-time, local date and local time.
enum DateTimeSyntax {
    /// A token that can only be meant as a date or a time, so its errors should say so: one
    /// with a colon, or starting with a digit and with a minus not in an exponent.
    static func looksLikeDateTime(_ t: ArraySlice<UInt8>) -> Bool {
        if t.contains(ASCII.colon) { return true }
        guard let first = t.first, ASCII.isDigit(first) else { return false }
        return zip(t, t.dropFirst()).contains { previous, c in c == ASCII.minus && previous | 0x20 != UInt8(ascii: "e") }
    }

    static func isDate(_ t: ArraySlice<UInt8>) -> Bool {
        date(t, at: t.startIndex) != nil
    }

    static func isValid(_ t: ArraySlice<UInt8>) -> Bool {
        var i = t.startIndex
        let hasDate = date(t, at: i) != nil
        if hasDate {
            i += 10
            if i == t.endIndex { return true }
            guard t[i] | 0x20 == UInt8(ascii: "t") || t[i] == ASCII.space else { return false }
            i += 1
        }
        guard let afterTime = time(t, at: i) else { return false }
        i = afterTime
        if i == t.endIndex { return true }
        guard hasDate else { return false }  // a local time has no offset
        if t[i] | 0x20 == UInt8(ascii: "z") { return i + 1 == t.endIndex }
        guard t[i] == ASCII.plus || t[i] == ASCII.minus, i + 6 == t.endIndex, t[i + 3] == ASCII.colon,
            let hour = number(t, at: i + 1, digits: 2), let minute = number(t, at: i + 4, digits: 2)
        else { return false }
        return hour <= 23 && minute <= 59
    }

    /// The index after `YYYY-MM-DD` at `i`, if there is a real calendar date there.
    private static func date(_ t: ArraySlice<UInt8>, at i: Int) -> Int? {
        guard i + 10 <= t.endIndex, let year = number(t, at: i, digits: 4), t[i + 4] == ASCII.minus,
            let month = number(t, at: i + 5, digits: 2), t[i + 7] == ASCII.minus,
            let day = number(t, at: i + 8, digits: 2), (1...12).contains(month)
        else { return nil }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day) ? i + 10 : nil
    }

    /// The index after `HH:MM:SS[.fraction]` at `i`; second 60 is a leap second.
    private static func time(_ t: ArraySlice<UInt8>, at i: Int) -> Int? {
        guard i + 8 <= t.endIndex, let hour = number(t, at: i, digits: 2), t[i + 2] == ASCII.colon,
            let minute = number(t, at: i + 3, digits: 2), t[i + 5] == ASCII.colon,
            let second = number(t, at: i + 6, digits: 2), hour <= 23, minute <= 59, second <= 60
        else { return nil }
        var end = i + 8
        if end < t.endIndex, t[end] == ASCII.dot {
            end += 1
            let digitsStart = end
            while end < t.endIndex, ASCII.isDigit(t[end]) { end += 1 }
            guard end > digitsStart else { return nil }
        }
        return end
    }

    private static func number(_ t: ArraySlice<UInt8>, at i: Int, digits: Int) -> Int? {
        guard i + digits <= t.endIndex else { return nil }
        var value = 0
        for c in t[i..<i + digits] {
            guard ASCII.isDigit(c) else { return nil }
            value = value * 10 + Int(c - 0x30)
        }
        return value
    }
}
