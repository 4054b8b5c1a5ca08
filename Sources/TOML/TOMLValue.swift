/// One TOML value. Date-times of all four kinds are kept as their text, already checked
/// against the TOML grammar and calendar; callers that need a date parse that text.
package indirect enum TOMLValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case boolean(Bool)
    /// An offset date-time, local date-time, local date or local time, as written.
    case dateTime(String)
    case array([TOMLValue])
    case table(TOMLTable)

    /// The type's name for messages: "string", "integer", "float", "boolean", "date-time",
    /// "array" or "table".
    package var typeName: String {
        switch self {
        case .string: "string"
        case .integer: "integer"
        case .float: "float"
        case .boolean: "boolean"
        case .dateTime: "date-time"
        case .array: "array"
        case .table: "table"
        }
    }

    /// The type's name with its article ("an integer"), so messages read as English.
    var typeWithArticle: String {
        switch self {
        case .integer, .array: "an \(typeName)"
        default: "a \(typeName)"
        }
    }

    package var stringValue: String? {
        if case .string(let value) = self { value } else { nil }
    }

    package var integerValue: Int64? {
        if case .integer(let value) = self { value } else { nil }
    }

    /// Floats, and integers converted, since `timeout = 5` should serve where 5.0 would.
    package var doubleValue: Double? {
        switch self {
        case .float(let value): value
        case .integer(let value): Double(value)
        default: nil
        }
    }

    package var boolValue: Bool? {
        if case .boolean(let value) = self { value } else { nil }
    }

    package var arrayValue: [TOMLValue]? {
        if case .array(let value) = self { value } else { nil }
    }

    package var tableValue: TOMLTable? {
        if case .table(let value) = self { value } else { nil }
    }
}
