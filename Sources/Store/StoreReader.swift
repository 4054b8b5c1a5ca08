package import Readings
import Support

/// One reading as `kinglet buffer export` writes it: the reading, the batch (PubSub item) it
/// was published in, and whether the server has acknowledged it.
package struct ExportRecord: Sendable, Equatable {
    package var reading: Reading
    package var batch: UInt64
    package var acknowledged: Bool

    package init(reading: Reading, batch: UInt64, acknowledged: Bool) {
        self.reading = reading
        self.batch = batch
        self.acknowledged = acknowledged
    }
}

/// Read-only access to the database for `kinglet buffer`, safe while the agent writes: WAL
/// gives this connection a snapshot without blocking the writer, and the busy timeout covers
/// the moments when SQLite must wait for a lock. Never changes the file.
package final class StoreReader {
    private let database: OutboxDatabase
    package let path: String

    package init(path: String, busyTimeout: Duration = .seconds(5)) throws(StoreError) {
        guard FileIO.exists(path) else {
            throw StoreError(.other, operation: "open \(path)", message: "no such file")
        }
        let connection = try SQLiteConnection(
            path: path, mode: .readOnly, busyTimeoutMilliseconds: Int32(clamping: busyTimeout.milliseconds))
        let version = try Schema.version(of: connection)
        guard version == Schema.latestVersion else {
            let message = version == 0
                ? "not a Kinglet database (no schema)"
                : "schema version \(version) is older than \(Schema.latestVersion); start the agent once to upgrade it"
            throw StoreError(.other, operation: "open \(path)", message: message)
        }
        self.database = OutboxDatabase(connection)
        self.path = path
    }

    /// The file's counters, from one snapshot. `uncommittedReadings`, `memoryReadings` and
    /// `mode` describe a running agent's memory and are always zero and `.normal` here.
    package func stats() throws(StoreError) -> StoreStats {
        try database.connection.readTransaction { () throws(StoreError) -> StoreStats in
            let meta = try database.loadMeta()
            let pending = try database.totals(after: meta.acknowledgedThrough)
            var stats = StoreStats()
            stats.pendingReadings = pending.count
            stats.pendingBytes = pending.bytes
            if let ends = try database.ends(after: meta.acknowledgedThrough) {
                stats.oldestPending = ends.first
                stats.newestPending = ends.last
            }
            stats.lastSequence = meta.lastSequence
            stats.acknowledgedThrough = meta.acknowledgedThrough
            stats.dropped = meta.dropped
            stats.historyReadings = try database.totals(after: 0, through: meta.acknowledgedThrough).count
            stats.fileBytes = DatabaseFile.size(path)
            return stats
        }
    }

    /// `PRAGMA quick_check` on the file, as the agent runs it at start: throws `.corrupt`
    /// naming the first problems found (`kinglet doctor`).
    package func checkIntegrity() throws(StoreError) {
        try DatabaseFile.quickCheck(database.connection)
    }

    /// Calls `body` with every stored reading in sequence order (only pending ones when
    /// `pendingOnly`), from one snapshot. Streams: memory stays flat for any number of rows.
    package func forEachRecord(pendingOnly: Bool, _ body: (ExportRecord) -> Void) throws(StoreError) {
        try database.connection.readTransaction { () throws(StoreError) in
            let acknowledged = try database.loadMeta().acknowledgedThrough
            try database.forEachReading(after: pendingOnly ? acknowledged : 0) { reading, batch in
                body(ExportRecord(reading: reading, batch: batch, acknowledged: reading.sequence <= acknowledged))
                return true
            }
        }
    }
}
