package import Support
package import Readings

/// What a control starts from when the agent starts.
package enum ControlRestore: String, Sendable, Hashable, CaseIterable {
    /// The value last applied (by an operator, `kinglet set`), as the store keeps it; `initial`
    /// (or the target as it is) when nothing was ever set.
    case last
    /// Always `initial`, whatever was set before the restart.
    case initial
}

/// One control of a device, as the profile declares it: what values it takes and where they go.
/// XEP-0325 forms, chat `set` commands and readouts are all derived from this.
package struct ControlDefinition: Sendable, Hashable {
    package var name: String
    package var type: ControlType
    package var unit: String
    package var description: String
    /// Inclusive limits for `int` and `double` controls.
    package var minimum: Double?
    package var maximum: Double?
    /// The allowed values of an `enum` control, in the order forms list them.
    package var values: [String]
    /// The longest value a `string` control accepts, in characters.
    package var maxLength: Int?
    /// Decimals shown for a `double` control's value in readouts.
    package var decimals: Int?
    /// How the control's current value appears in readouts: `status` unless the profile says otherwise.
    package var fieldType: FieldType
    /// The value written when the agent starts, if any. Without one, the target is read back.
    package var initial: ControlValue?
    /// What the agent applies at start: the last value set (kept in the store), or `initial`.
    package var restore: ControlRestore
    package var target: OutputSpec

    package init(
        name: String, type: ControlType, target: OutputSpec, unit: String = "", description: String = "",
        minimum: Double? = nil, maximum: Double? = nil, values: [String] = [], maxLength: Int? = nil,
        decimals: Int? = nil, fieldType: FieldType = .status, initial: ControlValue? = nil,
        restore: ControlRestore = .last
    ) {
        self.name = name
        self.type = type
        self.target = target
        self.unit = unit
        self.description = description
        self.minimum = minimum
        self.maximum = maximum
        self.values = values
        self.maxLength = maxLength
        self.decimals = decimals
        self.fieldType = fieldType
        self.initial = initial
        self.restore = restore
    }

    /// Checks `value` against the type and limits and returns it in the control's own type (an
    /// `int` sent to a `double` control becomes a double). Nothing touches hardware here, so a
    /// caller can validate a whole XEP-0325 `set` before applying any of it.
    package func validate(_ value: ControlValue) throws(ControlError) -> ControlValue {
        switch (type, value) {
        case (.boolean, .boolean):
            return value
        case (.int, .int(let i)):
            try checkRange(Double(i), shown: String(i))
            return value
        case (.int, .double(let d)) where d.isFinite && d == d.rounded() && abs(d) < 9e15:
            return try validate(.int(Int64(d)))
        case (.double, .double(let d)):
            guard d.isFinite else { throw invalid("\(d) is not a finite number") }
            try checkRange(d, shown: NumberFormat.shortest(d))
            return value
        case (.double, .int(let i)):
            return try validate(.double(Double(i)))
        case (.string, .string(let s)):
            if let maxLength, s.count > maxLength {
                throw invalid("longer than \(maxLength) characters")
            }
            return value
        case (.enumeration, .enumeration(let s)), (.enumeration, .string(let s)):
            guard values.contains(s) else {
                throw invalid("'\(s)' is not one of \(values.joined(separator: ", "))")
            }
            return .enumeration(s)
        case (.color, .color):
            return value
        case (.color, .string(let s)):
            guard let color = Color(hex: s) else { throw invalid("'\(s)' is not a colour (RRGGBB or RRGGBBAA)") }
            return .color(color)
        default:
            throw invalid("expects \(typeDescription)")
        }
    }

    /// Parses text typed by a person (`on`, `42`, `21.5`, `auto`, `FF8800`) and validates it.
    package func parse(_ text: String) throws(ControlError) -> ControlValue {
        let word = text.trimmingSpaces
        switch type {
        case .boolean:
            guard let b = BooleanText.parse(word) else { throw invalid("'\(word)' is not on/off, true/false or 1/0") }
            return .boolean(b)
        case .int:
            guard let i = Int64(word) else { throw invalid("'\(word)' is not an integer") }
            return try validate(.int(i))
        case .double:
            guard let d = Double(word) else { throw invalid("'\(word)' is not a number") }
            return try validate(.double(d))
        case .string:
            return try validate(.string(text))
        case .enumeration:
            // People type `Auto` for `auto`: match case-insensitively, store the declared spelling.
            let match = values.first { $0 == word } ?? values.first { $0.lowercased() == word.lowercased() }
            return try validate(.enumeration(match ?? word))
        case .color:
            return try validate(.string(word))
        }
    }

    /// The control's current value as a readout field, marked writable.
    package func reading(_ value: ControlValue, at timestamp: Timestamp) -> Reading {
        Reading(
            name: name, value: fieldValue(value), unit: unit, fieldType: fieldType, timestamp: timestamp,
            writable: true)
    }

    /// The XEP-0323 field value for one of this control's values.
    package func fieldValue(_ value: ControlValue) -> FieldValue {
        switch value {
        case .boolean(let b): return .boolean(b)
        case .int(let i): return Int32(exactly: i).map { .int($0) } ?? .long(i)
        case .double(let d): return .numeric(NumberFormat.round(d, decimals), decimals: decimals)
        case .string(let s): return .string(s)
        case .enumeration(let s): return .enumeration(s, dataType: name)
        case .color(let c): return .string(c.hex)
        }
    }

    private var typeDescription: String {
        switch type {
        case .boolean: "a boolean"
        case .int: "an integer"
        case .double: "a number"
        case .string: "a string"
        case .enumeration: "one of \(values.joined(separator: ", "))"
        case .color: "a colour (RRGGBB or RRGGBBAA)"
        }
    }

    private func checkRange(_ number: Double, shown: String) throws(ControlError) {
        if let minimum, number < minimum {
            throw invalid("\(shown) is below the minimum \(NumberFormat.shortest(minimum))")
        }
        if let maximum, number > maximum {
            throw invalid("\(shown) is above the maximum \(NumberFormat.shortest(maximum))")
        }
    }

    private func invalid(_ message: String) -> ControlError {
        ControlError(name, .invalidValue, message)
    }
}
