import CSQLite

/// One prepared statement, finalized in `deinit`. Owned by the `SQLiteConnection` cache (or, when
/// not cached, by the caller for one use, while the connection lives); callers
/// bind, step and `reset()` it, always resetting before they return so that no read transaction
/// stays open behind a half-read statement.
final class SQLiteStatement {
    let sql: String
    private let handle: OpaquePointer
    /// Unowned: the connection owns this statement through its cache and outlives it.
    private unowned let connection: SQLiteConnection

    init(_ handle: OpaquePointer, connection: SQLiteConnection, sql: String) {
        self.handle = handle
        self.connection = connection
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    /// SQLITE_TRANSIENT: SQLite copies bound text before the call returns.
    private static var transient: sqlite3_destructor_type { unsafeBitCast(-1, to: sqlite3_destructor_type.self) }

    func bind(_ index: Int32, _ value: Int64) throws(StoreError) {
        try connection.check(sqlite3_bind_int64(handle, index, value), "bind", sql: sql)
    }

    func bind(_ index: Int32, _ value: UInt64) throws(StoreError) {
        try bind(index, Int64(clamping: value))
    }

    func bind(_ index: Int32, _ value: Int) throws(StoreError) {
        try bind(index, Int64(value))
    }

    func bind(_ index: Int32, _ value: Double) throws(StoreError) {
        try connection.check(sqlite3_bind_double(handle, index, value), "bind", sql: sql)
    }

    /// Binds text by its UTF-8 length, so an embedded NUL survives.
    func bind(_ index: Int32, _ value: String) throws(StoreError) {
        var value = value
        let code = value.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                // An empty buffer may have no address, and a NULL pointer would bind SQL NULL.
                guard let base = chars.baseAddress else { return sqlite3_bind_text(handle, index, "", 0, Self.transient) }
                return sqlite3_bind_text(handle, index, base, Int32(chars.count), Self.transient)
            }
        }
        try connection.check(code, "bind", sql: sql)
    }

    func bindNull(_ index: Int32) throws(StoreError) {
        try connection.check(sqlite3_bind_null(handle, index), "bind", sql: sql)
    }

    /// Advances to the next row: true when a row is available, false when the statement is done.
    func step() throws(StoreError) -> Bool {
        try connection.check(sqlite3_step(handle), "step", sql: sql) == SQLITE_ROW
    }

    /// Steps a statement that returns no rows, then resets it.
    func run() throws(StoreError) {
        defer { reset() }
        _ = try step()
    }

    /// Makes the statement ready to run again and drops its bindings.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    func uint64(_ column: Int32) -> UInt64 { UInt64(clamping: int64(column)) }
    func int(_ column: Int32) -> Int { Int(int64(column)) }
    func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    /// Text by its byte length, so an embedded NUL survives.
    func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }
}
