/// The database layout and its migrations, versioned with `PRAGMA user_version`.
///
/// To change the layout, append a `Migration` with the next version; never edit a shipped one.
/// Each step runs in one transaction, so a power cut mid-migration leaves the previous version.
enum Schema {
    /// `PRAGMA application_id`: marks the file as Kinglet's ("Kngl"), so a path pointing at
    /// another program's database is refused instead of being written into.
    static let applicationID: Int64 = 0x4B6E_676C

    struct Migration: Sendable {
        let version: Int64
        let statements: [String]
    }

    static let migrations: [Migration] = [
        Migration(version: 1, statements: [
            // Counters that must survive an empty outbox: the highest sequence ever seen, how far
            // the server has acknowledged, and how many readings the bounds have dropped.
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID",
            """
            INSERT INTO meta (key, value) VALUES
              ('last_sequence', 0), ('acknowledged_through', 0), ('dropped', 0)
            """,
            // One row per reading; `sequence` is the rowid, so the outbox is walked in order for
            // free. Rows at or below meta.acknowledged_through are history, the rest pending.
            // `batch` is the first sequence of the reading's batch (the PubSub item id); `value`
            // has no declared type so each value keeps its storage class.
            """
            CREATE TABLE reading (
              sequence INTEGER PRIMARY KEY,
              batch INTEGER NOT NULL,
              time INTEGER NOT NULL,
              name TEXT NOT NULL,
              kind INTEGER NOT NULL,
              value,
              detail,
              unit TEXT NOT NULL,
              field_type INTEGER NOT NULL,
              qos INTEGER NOT NULL,
              error TEXT,
              bytes INTEGER NOT NULL
            )
            """,
            // For historical requests (`from`/`to`) and the TTL.
            "CREATE INDEX reading_time ON reading (time)",
        ]),
        Migration(version: 2, statements: [
            // The last value each control was set to, who set it and when (ms since the
            // epoch): applied again at the next start for controls with restore = "last".
            // `kind` is the value's type (ControlValue.kind), `value` its text.
            """
            CREATE TABLE control_state (
              name TEXT PRIMARY KEY,
              kind TEXT NOT NULL,
              value TEXT NOT NULL,
              set_by TEXT NOT NULL,
              set_at INTEGER NOT NULL
            ) WITHOUT ROWID
            """
        ]),
    ]

    static var latestVersion: Int64 { migrations.last?.version ?? 0 }

    /// Brings the database up to the newest version in `migrations`, refusing a file that is
    /// newer than this build or that belongs to another program.
    static func migrate(_ connection: SQLiteConnection, migrations: [Migration] = Schema.migrations) throws(StoreError) {
        let latest = migrations.last?.version ?? 0
        guard try version(of: connection, latest: latest) < latest else { return }
        try connection.transaction { () throws(StoreError) in
            // Read again under the write lock: another process may have migrated meanwhile.
            let current = try version(of: connection, latest: latest)
            for migration in migrations where migration.version > current {
                for sql in migration.statements { try connection.execute(sql) }
                try connection.execute("PRAGMA user_version = \(migration.version)")
            }
            try connection.execute("PRAGMA application_id = \(applicationID)")
        }
    }

    /// The file's schema version, after checking that it is Kinglet's and not too new.
    static func version(of connection: SQLiteConnection, latest: Int64 = latestVersion) throws(StoreError) -> Int64 {
        let version = try connection.integer("PRAGMA user_version") ?? 0
        let application = try connection.integer("PRAGMA application_id") ?? 0
        let operation = "open \(connection.path)"
        if application != 0 && application != applicationID {
            throw StoreError(.notKinglet, operation: operation, message: "the file belongs to another program (application_id \(application))")
        }
        if application == 0, try (connection.integer("SELECT count(*) FROM sqlite_master") ?? 0) > 0 {
            throw StoreError(.notKinglet, operation: operation, message: "the file holds tables that Kinglet did not create")
        }
        if version > latest {
            throw StoreError(
                .newerSchema, operation: operation,
                message: "database schema version \(version) is newer than this Kinglet understands (\(latest)); "
                    + "run a newer Kinglet or move the file away")
        }
        return version
    }
}
