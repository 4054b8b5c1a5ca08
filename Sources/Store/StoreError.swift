import CSQLite

/// A failed store operation: what was being done, SQLite's raw (extended) result code, SQLite's
/// message and the SQL text. Bound values are never included, so a description is always safe
/// to log.
package struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What a failure means for the store's behaviour.
    package enum Kind: Sendable, Equatable {
        /// SQLITE_FULL: the disk or the configured file cap is full. Keep running from memory.
        case full
        /// SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_PERM: the file or its directory cannot be written.
        case unwritable
        /// SQLITE_CORRUPT, SQLITE_NOTADB or a failed `quick_check`: move the file aside.
        case corrupt
        /// SQLITE_BUSY, SQLITE_LOCKED: another connection holds a lock longer than the busy timeout.
        case busy
        /// SQLITE_IOERR: the storage failed underneath SQLite.
        case io
        /// The file's schema version is newer than this build understands.
        case newerSchema
        /// The file is an SQLite database that belongs to something else.
        case notKinglet
        /// Anything else: a bug or misuse.
        case other
    }

    package let kind: Kind
    package let operation: String
    /// SQLite's extended result code; 0 for failures the store detects itself.
    package let code: Int32
    package let message: String
    /// The statement that failed, with `?` placeholders rather than values.
    package let sql: String?

    /// A failure reported by SQLite.
    init(operation: String, code: Int32, message: String, sql: String? = nil) {
        self.kind = Self.kind(of: code)
        self.operation = operation
        self.code = code
        self.message = message
        self.sql = sql
    }

    /// A failure the store detects itself (a failed check, a foreign schema).
    init(_ kind: Kind, operation: String, message: String) {
        self.kind = kind
        self.operation = operation
        self.code = 0
        self.message = message
        self.sql = nil
    }

    package var description: String {
        var text = operation + ": " + message
        if code != 0 { text += " (" + Self.codeName(code) + ", code \(code))" }
        if let sql { text += " in: " + sql }
        return text
    }

    static func kind(of code: Int32) -> Kind {
        switch code & 0xFF {
        case SQLITE_FULL: .full
        case SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_PERM: .unwritable
        case SQLITE_CORRUPT, SQLITE_NOTADB: .corrupt
        case SQLITE_BUSY, SQLITE_LOCKED: .busy
        case SQLITE_IOERR: .io
        default: .other
        }
    }

    /// The name of the primary result code, so log lines are searchable without a code table.
    static func codeName(_ code: Int32) -> String {
        let names: [Int32: String] = [
            SQLITE_ERROR: "SQLITE_ERROR", SQLITE_INTERNAL: "SQLITE_INTERNAL", SQLITE_PERM: "SQLITE_PERM",
            SQLITE_ABORT: "SQLITE_ABORT", SQLITE_BUSY: "SQLITE_BUSY", SQLITE_LOCKED: "SQLITE_LOCKED",
            SQLITE_NOMEM: "SQLITE_NOMEM", SQLITE_READONLY: "SQLITE_READONLY", SQLITE_INTERRUPT: "SQLITE_INTERRUPT",
            SQLITE_IOERR: "SQLITE_IOERR", SQLITE_CORRUPT: "SQLITE_CORRUPT", SQLITE_FULL: "SQLITE_FULL",
            SQLITE_CANTOPEN: "SQLITE_CANTOPEN", SQLITE_PROTOCOL: "SQLITE_PROTOCOL", SQLITE_SCHEMA: "SQLITE_SCHEMA",
            SQLITE_TOOBIG: "SQLITE_TOOBIG", SQLITE_CONSTRAINT: "SQLITE_CONSTRAINT", SQLITE_MISMATCH: "SQLITE_MISMATCH",
            SQLITE_MISUSE: "SQLITE_MISUSE", SQLITE_RANGE: "SQLITE_RANGE", SQLITE_NOTADB: "SQLITE_NOTADB",
        ]
        return names[code & 0xFF] ?? "SQLite code"
    }
}
