package import Readings
import Support

/// The text formats of `kinglet buffer export`: one reading per line.
package enum ExportFormat: String, Sendable, CaseIterable {
    /// RFC 4180 quoting (fields with a comma, quote or control character are quoted, quotes
    /// doubled), a header row, LF line ends.
    case csv
    /// One JSON object per line, keys in a fixed order.
    case jsonl

    /// The line that starts the output, if the format has one.
    package var header: String? {
        switch self {
        case .csv: "sequence,batch,state,timestamp,name,type,value,decimals,data_type,unit,field_type,qos,error\n"
        case .jsonl: nil
        }
    }

    /// One record as a line, ending in "\n".
    package func line(_ record: ExportRecord) -> String {
        switch self {
        case .csv: Self.csvLine(record)
        case .jsonl: Self.jsonLine(record)
        }
    }

    private static func csvLine(_ record: ExportRecord) -> String {
        let reading = record.reading
        let value = reading.value
        let fields = [
            String(reading.sequence), String(record.batch), record.acknowledged ? "acknowledged" : "pending",
            reading.timestamp.xsDateTime, reading.name, value?.valueType.rawValue ?? "", value.map(valueText) ?? "",
            decimals(value).map(String.init) ?? "", dataType(value) ?? "", reading.unit, reading.fieldType.rawValue,
            qosNames(reading.qos).joined(separator: " "), reading.errorText ?? "",
        ]
        return fields.map(csvField).joined(separator: ",") + "\n"
    }

    private static func jsonLine(_ record: ExportRecord) -> String {
        let reading = record.reading
        var object = "{\"sequence\":\(reading.sequence),\"batch\":\(record.batch)"
        object += ",\"state\":" + (record.acknowledged ? "\"acknowledged\"" : "\"pending\"")
        object += ",\"timestamp\":" + jsonString(reading.timestamp.xsDateTime)
        object += ",\"name\":" + jsonString(reading.name)
        object += ",\"type\":" + (reading.value.map { jsonString($0.valueType.rawValue) } ?? "null")
        object += ",\"value\":" + (reading.value.map(jsonValue) ?? "null")
        if let decimals = decimals(reading.value) { object += ",\"decimals\":\(decimals)" }
        if let dataType = dataType(reading.value) { object += ",\"dataType\":" + jsonString(dataType) }
        object += ",\"unit\":" + jsonString(reading.unit)
        object += ",\"fieldType\":" + jsonString(reading.fieldType.rawValue)
        object += ",\"qos\":[" + qosNames(reading.qos).map(jsonString).joined(separator: ",") + "]"
        object += ",\"error\":" + (reading.errorText.map(jsonString) ?? "null")
        return object + "}\n"
    }

    /// The value as text: a double in Swift's shortest round-trip form (`23.4`, `1e-07`,
    /// `nan`, `inf`), so export loses nothing; `decimals` says how to display it.
    package static func valueText(_ value: FieldValue) -> String {
        switch value {
        case .numeric(let number, _): String(number)
        case .int(let number): String(number)
        case .long(let number): String(number)
        case .boolean(let flag): flag ? "true" : "false"
        case .string(let text), .duration(let text), .enumeration(let text, _): text
        case .dateTime(let time): time.xsDateTime
        }
    }

    package static func jsonValue(_ value: FieldValue) -> String {
        switch value {
        case .numeric(let number, _):
            // JSON has no NaN or infinities; they travel as the strings JavaScript prints.
            if number.isNaN { "\"NaN\"" } else if number.isInfinite { number < 0 ? "\"-Infinity\"" : "\"Infinity\"" } else { String(number) }
        case .int, .long, .boolean: valueText(value)
        case .string, .duration, .enumeration, .dateTime: jsonString(valueText(value))
        }
    }

    private static func decimals(_ value: FieldValue?) -> Int? {
        if case .numeric(_, let decimals) = value { return decimals }
        return nil
    }

    private static func dataType(_ value: FieldValue?) -> String? {
        if case .enumeration(_, let dataType) = value { return dataType }
        return nil
    }

    private static func qosNames(_ qos: QoS) -> [String] {
        QoS.attributeNames.filter { qos.contains($0.0) }.map(\.1)
    }

    /// Quotes a CSV field when it holds a comma, a quote or any control character, doubling quotes.
    package static func csvField(_ text: String) -> String {
        let needsQuotes = text.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0.value < 0x20 || $0.value == 0x7F }
        guard needsQuotes else { return text }
        var quoted = "\""
        for scalar in text.unicodeScalars {
            if scalar == "\"" { quoted += "\"\"" } else { quoted.unicodeScalars.append(scalar) }
        }
        return quoted + "\""
    }

    /// A JSON string literal (RFC 8259): quote, backslash and control characters escaped;
    /// U+2028 and U+2029 too, so the line is also valid JavaScript. Everything else stays UTF-8.
    package static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
                let hex = Hex.encode([UInt8(scalar.value >> 8 & 0xFF), UInt8(scalar.value & 0xFF)])
                out += "\\u" + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
