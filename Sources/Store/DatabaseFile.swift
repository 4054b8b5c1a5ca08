import Glibc
import Support

/// Opening the database file for writing, and what to do when the file is damaged.
enum DatabaseFile {
    /// An open file, and whether it replaces a corrupt one (whose numbering is then unknown).
    struct Opened {
        let database: OutboxDatabase
        let replacedCorruptFile: Bool
    }

    /// Opens `configuration.path` read-write (creating it), in WAL mode, checked and migrated.
    /// A corrupt file is moved aside with its `-wal` and `-shm` and a fresh one is created.
    static func open(
        _ configuration: StoreConfiguration, clock: any AgentClock, logger: Logger, forceCheck: Bool = false
    ) throws(StoreError) -> Opened {
        let check = configuration.checkOnOpen || forceCheck
        switch try attempt(configuration, check: check, clock: clock, logger: logger) {
        case .opened(let database):
            return Opened(database: database, replacedCorruptFile: false)
        case .movedAside(let error, let aside):
            logger.error("\(configuration.path) is corrupt (\(error)); moved it to \(aside) and started a fresh database")
        }
        // The corrupt file's connection is closed by now (it died with `attempt`), so it cannot
        // touch the fresh file's write-ahead log.
        guard case .opened(let database) = try attempt(configuration, check: false, clock: clock, logger: logger) else {
            throw StoreError(.corrupt, operation: "open \(configuration.path)", message: "the fresh database is corrupt too")
        }
        return Opened(database: database, replacedCorruptFile: true)
    }

    private enum Attempt {
        case opened(OutboxDatabase)
        case movedAside(StoreError, to: String)
    }

    private static func attempt(
        _ configuration: StoreConfiguration, check: Bool, clock: any AgentClock, logger: Logger
    ) throws(StoreError) -> Attempt {
        let timeout = Int32(clamping: configuration.busyTimeout.milliseconds)
        let connection = try SQLiteConnection(path: configuration.path, mode: .readWrite, busyTimeoutMilliseconds: timeout)
        do throws(StoreError) {
            return .opened(try prepare(connection, configuration, check: check, logger: logger))
        } catch where error.kind == .corrupt {
            // Moved while the connection is still open: closing it deletes `<path>-wal` by name,
            // which would lose the log that a salvage attempt needs.
            return .movedAside(error, to: try moveAside(configuration.path, reason: "corrupt", at: clock.wallTime()))
        }
    }

    private static func prepare(
        _ connection: SQLiteConnection, _ configuration: StoreConfiguration, check: Bool, logger: Logger
    ) throws(StoreError) -> OutboxDatabase {
        let path = configuration.path
        if connection.isReadOnly {
            throw StoreError(.unwritable, operation: "open \(path)", message: "the file or its directory is read-only")
        }
        // WAL lets `kinglet buffer` read while the agent writes, and appends instead of rewriting pages.
        let journal = try connection.text("PRAGMA journal_mode = WAL")
        if journal != "wal" {
            logger.warning("\(path): the file system does not support WAL (journal mode \(journal ?? "?")); readers may wait for writers")
        }
        try connection.execute("PRAGMA synchronous = \(configuration.synchronous.rawValue.uppercased())")
        if check { try quickCheck(connection) }
        try Schema.migrate(connection)
        let database = OutboxDatabase(connection)
        try database.limitFileSize(to: configuration.maxFileBytes)
        return database
    }

    /// `PRAGMA quick_check`: O(file size), catches damaged pages and broken indexes. Of `main`
    /// only: without a schema name it also opens the temp database, which then holds its own
    /// page cache (about 100 KiB) for the life of the connection.
    static func quickCheck(_ connection: SQLiteConnection) throws(StoreError) {
        let statement = try connection.statement("PRAGMA main.quick_check(3)", cached: false)
        defer { statement.reset() }
        var problems: [String] = []
        while try statement.step() {
            let line = statement.text(0)
            if line != "ok" { problems.append(line) }
        }
        if !problems.isEmpty {
            throw StoreError(.corrupt, operation: "quick_check \(connection.path)", message: problems.joined(separator: "; "))
        }
    }

    /// Renames `path` (and its `-wal` and `-shm`) to `<path>.<reason>-<UTC time>`, so the set can
    /// still be opened with the sqlite3 shell for salvage. Returns the new path.
    static func moveAside(_ path: String, reason: String, at time: Timestamp) throws(StoreError) -> String {
        let stamp = Timestamp(secondsSinceEpoch: time.millisecondsSinceEpoch / 1000).xsDateTime.filter { $0 != "-" && $0 != ":" }
        var aside = path + "." + reason + "-" + stamp
        var attempt = 1
        while FileIO.exists(aside) {
            attempt += 1
            aside = path + "." + reason + "-" + stamp + "-\(attempt)"
        }
        for suffix in ["", "-wal", "-shm"] where FileIO.exists(path + suffix) {
            guard rename(path + suffix, aside + suffix) == 0 else {
                throw StoreError(.unwritable, operation: "move \(path + suffix) aside", message: SystemError("rename").description)
            }
        }
        return aside
    }

    /// The bytes the database takes on disk: the file plus its write-ahead log.
    static func size(_ path: String) -> Int64 {
        var total: Int64 = 0
        for file in [path, path + "-wal"] {
            var info = stat()
            if stat(file, &info) == 0 { total += Int64(info.st_size) }
        }
        return total
    }
}
