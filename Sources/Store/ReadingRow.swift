import Readings
import Support

/// How a `Reading` maps onto a row of the `reading` table, and back.
///
/// `kind` says which `FieldValue` case the row holds (0 = no value); `value` holds the payload
/// in its natural SQLite type and `detail` the case's extra part (a numeric's decimals, an
/// enum's data type). Codes are written to disk: never renumber them.
enum ReadingRow {
    /// The columns every reading query selects, in the order `decode` reads them.
    static let columns = "sequence, batch, time, name, kind, value, detail, unit, field_type, qos, error"

    static let insertSQL = """
        INSERT INTO reading (sequence, batch, time, name, kind, value, detail, unit, field_type, qos, error, bytes)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
        """

    /// The bytes a reading counts for against `maxBytes`: its text and value payload plus a
    /// fixed 24 bytes for the integer columns and the row header. An estimate of its size in
    /// the file that needs no I/O.
    static func byteSize(_ reading: Reading) -> Int {
        var size = 24 + reading.name.utf8.count + reading.unit.utf8.count + (reading.errorText?.utf8.count ?? 0)
        switch reading.value {
        case nil: break
        case .numeric, .int, .long, .dateTime: size += 8
        case .boolean: size += 1
        case .string(let text), .duration(let text): size += text.utf8.count
        case .enumeration(let text, let dataType): size += text.utf8.count + dataType.utf8.count
        }
        return size
    }

    /// Binds `reading` to a statement prepared from `insertSQL`.
    static func bind(_ reading: Reading, batch: UInt64, to statement: SQLiteStatement) throws(StoreError) {
        try statement.bind(1, reading.sequence)
        try statement.bind(2, batch)
        try statement.bind(3, reading.timestamp.millisecondsSinceEpoch)
        try statement.bind(4, reading.name)
        try statement.bind(5, kindCode(reading.value))
        try bindValue(reading.value, to: statement)
        try statement.bind(8, reading.unit)
        try statement.bind(9, fieldTypeCode(reading.fieldType))
        try statement.bind(10, Int64(reading.qos.rawValue))
        if let error = reading.errorText { try statement.bind(11, error) } else { try statement.bindNull(11) }
        try statement.bind(12, byteSize(reading))
    }

    private static func bindValue(_ value: FieldValue?, to statement: SQLiteStatement) throws(StoreError) {
        switch value {
        case nil:
            try statement.bindNull(6)
        case .numeric(let number, let decimals):
            // SQLite stores NaN as NULL; `decode` turns a numeric NULL back into NaN.
            try statement.bind(6, number)
            if let decimals { try statement.bind(7, decimals) }
        case .int(let number): try statement.bind(6, Int64(number))
        case .long(let number): try statement.bind(6, number)
        case .boolean(let flag): try statement.bind(6, Int64(flag ? 1 : 0))
        case .string(let text), .duration(let text): try statement.bind(6, text)
        case .enumeration(let text, let dataType):
            try statement.bind(6, text)
            try statement.bind(7, dataType)
        case .dateTime(let time): try statement.bind(6, time.millisecondsSinceEpoch)
        }
    }

    /// Reads the current row of a statement that selected `columns` first.
    static func decode(_ row: SQLiteStatement) -> (reading: Reading, batch: UInt64) {
        let reading = Reading(
            sequence: row.uint64(0), name: row.text(3), value: value(row, kind: row.int64(4)), unit: row.text(7),
            fieldType: fieldType(code: row.int64(8)), qos: QoS(rawValue: UInt16(truncatingIfNeeded: row.int64(9))),
            timestamp: Timestamp(millisecondsSinceEpoch: row.int64(2)), errorText: row.optionalText(10))
        return (reading, row.uint64(1))
    }

    private static func value(_ row: SQLiteStatement, kind: Int64) -> FieldValue? {
        switch kind {
        case 1: .numeric(row.isNull(5) ? .nan : row.double(5), decimals: row.isNull(6) ? nil : row.int(6))
        case 2: .int(Int32(truncatingIfNeeded: row.int64(5)))
        case 3: .long(row.int64(5))
        case 4: .boolean(row.int64(5) != 0)
        case 5: .string(row.text(5))
        case 6: .enumeration(row.text(5), dataType: row.text(6))
        case 7: .dateTime(Timestamp(millisecondsSinceEpoch: row.int64(5)))
        case 8: .duration(row.text(5))
        default: nil
        }
    }

    private static func kindCode(_ value: FieldValue?) -> Int64 {
        switch value {
        case nil: 0
        case .numeric: 1
        case .int: 2
        case .long: 3
        case .boolean: 4
        case .string: 5
        case .enumeration: 6
        case .dateTime: 7
        case .duration: 8
        }
    }

    private static func fieldTypeCode(_ type: FieldType) -> Int64 {
        switch type {
        case .momentary: 0
        case .peak: 1
        case .status: 2
        case .computed: 3
        case .identity: 4
        }
    }

    private static func fieldType(code: Int64) -> FieldType {
        switch code {
        case 1: .peak
        case 2: .status
        case 3: .computed
        case 4: .identity
        default: .momentary
        }
    }
}

extension ReadingBatch {
    /// The sequence number of the batch's last reading: what `acknowledge(throughSequence:)`
    /// takes once the server has acknowledged the item that carried this batch.
    package var lastSequence: UInt64 { readings.last?.sequence ?? 0 }
}
