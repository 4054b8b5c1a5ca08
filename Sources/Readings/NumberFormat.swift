/// Number formatting without Foundation: fixed decimals for XEP-0323 values (the decimals encode
/// precision) and the shortest form for chat replies.
package enum NumberFormat {
    /// `value` rounded to `decimals` places and written with exactly that many: `fixed(23.456, 1)`
    /// is `23.5`, `fixed(2, 2)` is `2.00`. Falls back to the shortest form for huge values.
    package static func fixed(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return String(value) }
        let places = max(0, min(decimals, 12))
        var factor = 1.0
        for _ in 0..<places { factor *= 10 }
        let scaled = (abs(value) * factor).rounded()
        guard scaled < 9e15 else { return shortest(value) }
        let whole = UInt64(scaled)
        let unit = UInt64(factor)
        var text = (value < 0 && whole != 0 ? "-" : "") + String(whole / unit)
        if places > 0 {
            let fraction = String(whole % unit)
            text += "." + String(repeating: "0", count: places - fraction.count) + fraction
        }
        return text
    }

    /// The shortest text that reads back as `value`; integral values have no `.0`.
    package static func shortest(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 {
            return String(Int64(value))
        }
        return String(value)
    }

    /// `value` rounded to `decimals` places, so that what is compared and stored is what is shown.
    package static func round(_ value: Double, _ decimals: Int?) -> Double {
        guard let decimals, value.isFinite else { return value }
        var factor = 1.0
        for _ in 0..<max(0, min(decimals, 12)) { factor *= 10 }
        let rounded = (value * factor).rounded() / factor
        return rounded.isFinite ? rounded : value
    }
}
