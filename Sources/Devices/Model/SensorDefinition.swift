package import Readings

/// One sensor of a device, as the profile declares it.
package struct SensorDefinition: Sendable, Hashable {
    package var name: String
    package var source: SourceSpec
    package var unit: String
    package var description: String
    package var fieldType: FieldType
    package var valueType: ValueType
    /// The XEP-0323 `dataType` of an enum sensor (defaults to the sensor's name).
    package var enumType: String
    /// For enum sensors: the values accepted; anything else is reported as an error. Empty: any.
    package var enumValues: [String]
    /// Applied to numbers: `raw * scale + offset`.
    package var scale: Double
    package var offset: Double
    /// Decimals kept for numeric values (XEP-0323 says they encode precision).
    package var decimals: Int?
    /// How often to sample; nil means once at start (identity fields).
    package var interval: Duration?
    package var filter: ChangeFilter
    /// Hardware that may be absent (a thermal zone on a VM): when the first read fails, the
    /// sensor is left out instead of being reported as failing for ever.
    package var optional: Bool

    package init(
        name: String, source: SourceSpec, unit: String = "", description: String = "",
        fieldType: FieldType = .momentary, valueType: ValueType = .numeric, enumType: String? = nil,
        enumValues: [String] = [], scale: Double = 1, offset: Double = 0, decimals: Int? = nil,
        interval: Duration? = .seconds(10), filter: ChangeFilter = ChangeFilter(), optional: Bool = false
    ) {
        self.name = name
        self.source = source
        self.unit = unit
        self.description = description
        self.fieldType = fieldType
        self.valueType = valueType
        self.enumType = enumType ?? name
        self.enumValues = enumValues
        self.scale = scale
        self.offset = offset
        self.decimals = decimals
        self.interval = interval
        self.filter = filter
        self.optional = optional
    }
}

/// Decides which samples are worth keeping and publishing. A sample is kept when it is the
/// first, when it differs from the last *kept* one by more than `deadband` (any change for
/// non-numeric values, or a change between a value and an error) and `minInterval` has passed,
/// or when the last kept one is older than `maxAge`. Comparing with the last kept value rather
/// than the last sample means a slow drift is still reported once it adds up.
package struct ChangeFilter: Sendable, Hashable {
    package var deadband: Double
    package var minInterval: Duration
    package var maxAge: Duration?

    package init(deadband: Double = 0, minInterval: Duration = .zero, maxAge: Duration? = nil) {
        self.deadband = deadband
        self.minInterval = minInterval
        self.maxAge = maxAge
    }

    /// What the filter remembers of the last kept sample.
    package struct Kept: Sendable, Hashable {
        package var value: FieldValue?
        package var errorText: String?
        /// Monotonic time it was kept.
        package var at: Duration

        package init(value: FieldValue?, errorText: String?, at: Duration) {
            self.value = value
            self.errorText = errorText
            self.at = at
        }
    }

    /// Whether `reading`, sampled at monotonic time `now`, should be kept given the last kept one.
    package func shouldKeep(_ reading: Reading, now: Duration, last: Kept?) -> Bool {
        guard let last else { return true }
        let age = now - last.at
        if let maxAge, age >= maxAge { return true }
        guard age >= minInterval else { return false }
        return differs(reading, from: last)
    }

    private func differs(_ reading: Reading, from last: Kept) -> Bool {
        switch (reading.value, last.value) {
        case (nil, nil):
            return reading.errorText != last.errorText
        case (nil, _), (_, nil):
            return true
        case (.some(let new), .some(let old)):
            if let a = new.number, let b = old.number, new.valueType == old.valueType {
                return deadband > 0 ? abs(a - b) > deadband : a != b
            }
            return new != old
        }
    }
}

extension FieldValue {
    /// The value as a number, for deadbands and scaling: nil for text, enums and times.
    package var number: Double? {
        switch self {
        case .numeric(let d, _): d
        case .int(let i): Double(i)
        case .long(let l): Double(l)
        case .boolean(let b): b ? 1 : 0
        default: nil
        }
    }
}
