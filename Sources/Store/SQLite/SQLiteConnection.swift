import CSQLite

/// One SQLite connection and its cached prepared statements. Not thread-safe and not `Sendable`:
/// exactly one owner (the `ReadingStore` actor, or a CLI command) uses it at a time, which is
/// also why it is opened with `SQLITE_OPEN_NOMUTEX`.
final class SQLiteConnection {
    enum Mode {
        case readWrite
        case readOnly
    }

    let path: String
    private let handle: OpaquePointer
    private var statements: [String: SQLiteStatement] = [:]

    /// Opens (and in `.readWrite` mode creates) the database at `path`. Waits up to
    /// `busyTimeoutMilliseconds` for another process's lock before failing with SQLITE_BUSY.
    init(path: String, mode: Mode, busyTimeoutMilliseconds: Int32 = 5000) throws(StoreError) {
        _ = Self.processConfiguration
        var opened: OpaquePointer?
        let access = mode == .readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        let code = sqlite3_open_v2(path, &opened, access | SQLITE_OPEN_NOMUTEX, nil)
        guard code == SQLITE_OK, let opened else {
            // SQLite allocates a handle even when opening fails; it carries the message and must be closed.
            let message = opened.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            let extended = opened.map { sqlite3_extended_errcode($0) } ?? code
            sqlite3_close_v2(opened)
            throw StoreError(operation: "open \(path)", code: extended, message: message)
        }
        self.path = path
        self.handle = opened
        sqlite3_extended_result_codes(opened, 1)
        sqlite3_busy_timeout(opened, busyTimeoutMilliseconds)
    }

    /// Set once, before the first open initializes SQLite: no bulk page-cache allocation per
    /// connection (87 KiB each, most of an idle outbox's memory, and 1,000 of them in
    /// `kinglet fleet simulate`). Pages are allocated as they are read instead.
    private static let processConfiguration: Void = {
        _ = kinglet_sqlite_config_no_bulk_page_cache()
    }()

    deinit {
        // Statements first; close_v2 would otherwise keep a zombie connection until they go.
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    /// The one place SQLite result codes are checked: OK, ROW and DONE pass through, anything
    /// else becomes a `StoreError` with the connection's current message.
    @discardableResult
    func check(_ code: Int32, _ operation: @autoclosure () -> String, sql: String? = nil) throws(StoreError) -> Int32 {
        switch code {
        case SQLITE_OK, SQLITE_ROW, SQLITE_DONE:
            return code
        default:
            let message = String(cString: sqlite3_errmsg(handle))
            throw StoreError(operation: operation(), code: sqlite3_extended_errcode(handle), message: message, sql: sql)
        }
    }

    /// Runs one or more statements that return nothing the caller needs (DDL, pragmas, BEGIN).
    func execute(_ sql: String) throws(StoreError) {
        try check(sqlite3_exec(handle, sql, nil, nil, nil), "execute", sql: sql)
    }

    /// The prepared statement for `sql`, reset and with no bindings: from the cache, or, with
    /// `cached: false` (pragmas and checks run once at open), prepared for this use only, since
    /// each cached statement holds a few KiB for the connection's whole life.
    func statement(_ sql: String, cached: Bool = true) throws(StoreError) -> SQLiteStatement {
        if cached, let statement = statements[sql] { return statement }
        var prepared: OpaquePointer?
        try check(sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &prepared, nil), "prepare", sql: sql)
        guard let prepared else {
            throw StoreError(.other, operation: "prepare", message: "statement is empty: \(sql)")
        }
        let statement = SQLiteStatement(prepared, connection: self, sql: sql)
        if cached { statements[sql] = statement }
        return statement
    }

    /// The first column of the first row of `sql`, as an integer (nil when there is no row).
    /// For statements run once or rarely: not cached.
    func integer(_ sql: String) throws(StoreError) -> Int64? {
        let statement = try statement(sql, cached: false)
        defer { statement.reset() }
        return try statement.step() ? statement.int64(0) : nil
    }

    /// The first column of the first row of `sql`, as text (nil when there is no row). Not cached.
    func text(_ sql: String) throws(StoreError) -> String? {
        let statement = try statement(sql, cached: false)
        defer { statement.reset() }
        return try statement.step() ? statement.text(0) : nil
    }

    /// Runs `body` inside `BEGIN IMMEDIATE ... COMMIT`, rolling back when anything throws.
    /// IMMEDIATE takes the write lock up front, so a busy reader cannot make COMMIT fail late.
    func transaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            // After SQLITE_FULL or an I/O error SQLite may already have rolled back on its own.
            if sqlite3_get_autocommit(handle) == 0 { sqlite3_exec(handle, "ROLLBACK", nil, nil, nil) }
            throw error
        }
    }

    /// Rows changed by the most recent INSERT, UPDATE or DELETE.
    var changes: Int { Int(sqlite3_changes(handle)) }

    var isReadOnly: Bool { sqlite3_db_readonly(handle, "main") == 1 }
}

extension SQLiteConnection {
    /// Runs `body` in one read transaction, so several queries see the same snapshot even
    /// while another process commits.
    func readTransaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        try execute("BEGIN DEFERRED")
        defer { try? execute("COMMIT") }
        return try body()
    }
}
