import Readings
import Support

/// The counters kept in the `meta` table.
struct Meta: Sendable, Equatable {
    /// The highest sequence number ever appended (stored or refused), so numbering keeps rising
    /// across restarts even when the outbox is empty.
    var lastSequence: UInt64 = 0
    /// Readings up to here have been acknowledged by the server: history, not pending.
    var acknowledgedThrough: UInt64 = 0
    /// Readings the bounds have dropped or refused, ever.
    var dropped: UInt64 = 0
}

/// How many readings, and how many bytes of them (`ReadingRow.byteSize`).
struct Totals: Sendable, Equatable {
    var count = 0
    var bytes = 0

    static func + (lhs: Totals, rhs: Totals) -> Totals { Totals(count: lhs.count + rhs.count, bytes: lhs.bytes + rhs.bytes) }
    static func - (lhs: Totals, rhs: Totals) -> Totals { Totals(count: lhs.count - rhs.count, bytes: lhs.bytes - rhs.bytes) }
}

/// The SQL the store runs, over one open and migrated connection. Callers supply the
/// acknowledged-through sequence that splits history from pending; this class keeps no state.
final class OutboxDatabase {
    let connection: SQLiteConnection

    init(_ connection: SQLiteConnection) {
        self.connection = connection
    }

    // MARK: meta

    /// Read when the store opens or reopens, so not cached.
    func loadMeta() throws(StoreError) -> Meta {
        let statement = try connection.statement("SELECT key, value FROM meta", cached: false)
        defer { statement.reset() }
        var meta = Meta()
        while try statement.step() {
            let value = statement.uint64(1)
            switch statement.text(0) {
            case "last_sequence": meta.lastSequence = value
            case "acknowledged_through": meta.acknowledgedThrough = value
            case "dropped": meta.dropped = value
            default: break
            }
        }
        return meta
    }

    func saveMeta(_ meta: Meta) throws(StoreError) {
        let statement = try connection.statement("UPDATE meta SET value = ?2 WHERE key = ?1")
        for (key, value) in [("last_sequence", meta.lastSequence), ("acknowledged_through", meta.acknowledgedThrough), ("dropped", meta.dropped)] {
            try statement.bind(1, key)
            try statement.bind(2, value)
            try statement.run()
        }
    }

    /// Rewrites only the last sequence number: one row on the meta table's one page.
    func saveLastSequence(_ sequence: UInt64) throws(StoreError) {
        let statement = try connection.statement("UPDATE meta SET value = ?1 WHERE key = 'last_sequence'")
        try statement.bind(1, sequence)
        try statement.run()
    }

    // MARK: writing

    func insert(_ batch: ReadingBatch) throws(StoreError) {
        let statement = try connection.statement(ReadingRow.insertSQL)
        for reading in batch.readings {
            try ReadingRow.bind(reading, batch: batch.firstSequence, to: statement)
            try statement.run()
        }
    }

    /// Deletes the readings with sequence in `(after, through]`; returns how many went.
    @discardableResult
    func delete(after: UInt64, through: UInt64) throws(StoreError) -> Int {
        let statement = try connection.statement("DELETE FROM reading WHERE sequence > ?1 AND sequence <= ?2")
        try statement.bind(1, after)
        try statement.bind(2, through)
        try statement.run()
        return connection.changes
    }

    /// The run of readings at the head of `(after, through]` stamped before `cutoff`, at most
    /// `limit` of them: the last sequence of the run and its totals, or nil when the first
    /// reading is not that old. Walks from the oldest sequence and stops at the first younger
    /// reading, so the cost is the number of expired readings, however many older ones the
    /// other part of the table holds.
    func expiredHead(after: UInt64, through: UInt64, before cutoff: Timestamp, limit: Int) throws(StoreError) -> (through: UInt64, totals: Totals)? {
        let statement = try connection.statement(
            "SELECT sequence, time, bytes FROM reading WHERE sequence > ?1 AND sequence <= ?2 ORDER BY sequence")
        defer { statement.reset() }
        try statement.bind(1, after)
        try statement.bind(2, through)
        var last: UInt64?
        var totals = Totals()
        while totals.count < limit, try statement.step(), statement.int64(1) < cutoff.millisecondsSinceEpoch {
            last = statement.uint64(0)
            totals = totals + Totals(count: 1, bytes: statement.int(2))
        }
        return last.map { ($0, totals) }
    }

    /// Deletes the oldest `count` readings at or below `through`; returns how many went.
    func deleteOldest(through: UInt64, count: Int) throws(StoreError) -> Int {
        guard count > 0 else { return 0 }
        let cut = try connection.statement(
            "SELECT sequence FROM reading WHERE sequence <= ?1 ORDER BY sequence LIMIT 1 OFFSET ?2")
        try cut.bind(1, through)
        try cut.bind(2, count - 1)
        let last: UInt64
        do {
            defer { cut.reset() }
            last = try cut.step() ? cut.uint64(0) : through
        }
        return try delete(after: 0, through: min(last, through))
    }

    /// Where to cut the oldest pending batches so that at least `needed` readings and bytes
    /// are freed, looking at no more than about `limit` readings: the last sequence to delete
    /// (always the end of a batch) and what that frees.
    func overflowCut(after acknowledged: UInt64, freeing needed: Totals, limit: Int) throws(StoreError) -> (through: UInt64, freed: Totals)? {
        let statement = try connection.statement("SELECT sequence, batch, bytes FROM reading WHERE sequence > ?1 ORDER BY sequence")
        defer { statement.reset() }
        try statement.bind(1, acknowledged)
        var freed = Totals()
        var cut: (sequence: UInt64, batch: UInt64)?
        while try statement.step() {
            let batch = statement.uint64(1)
            let enough = freed.count >= limit || freed.count >= needed.count && freed.bytes >= needed.bytes
            if let cut, enough, batch != cut.batch { break }
            freed = freed + Totals(count: 1, bytes: statement.int(2))
            cut = (statement.uint64(0), batch)
        }
        return cut.map { ($0.sequence, freed) }
    }

    /// Caps the file at about `bytes` (`PRAGMA max_page_count`); 0 removes the cap.
    func limitFileSize(to bytes: Int) throws(StoreError) {
        let pageSize = try connection.integer("PRAGMA page_size") ?? 4096
        let pages = bytes > 0 ? max(1, Int64(bytes) / pageSize) : 4_294_967_294
        _ = try connection.integer("PRAGMA max_page_count = \(pages)")
    }

    // MARK: reading

    /// Readings and bytes with sequence in `(after, through]`.
    func totals(after: UInt64, through: UInt64 = UInt64(Int64.max)) throws(StoreError) -> Totals {
        let statement = try connection.statement(
            "SELECT count(*), total(bytes) FROM reading WHERE sequence > ?1 AND sequence <= ?2")
        defer { statement.reset() }
        try statement.bind(1, after)
        try statement.bind(2, through)
        guard try statement.step() else { return Totals() }
        return Totals(count: statement.int(0), bytes: Int(statement.double(1)))
    }

    /// Up to `maxBatches` whole batches after `after`, in sequence order, grouped as appended.
    func pending(after: UInt64, maxBatches: Int) throws(StoreError) -> [ReadingBatch] {
        guard maxBatches > 0 else { return [] }
        var batches: [ReadingBatch] = []
        var current: [Reading] = []
        var currentBatch: UInt64 = 0
        try forEachReading(after: after) { reading, batch in
            if batch != currentBatch, !current.isEmpty {
                batches.append(ReadingBatch(current))
                current.removeAll(keepingCapacity: true)
                if batches.count == maxBatches { return false }
            }
            currentBatch = batch
            current.append(reading)
            return true
        }
        if !current.isEmpty && batches.count < maxBatches { batches.append(ReadingBatch(current)) }
        return batches
    }

    /// Calls `body` with every reading after `after`, in sequence order, and its batch,
    /// until `body` returns false. Streams: memory stays flat however many rows there are.
    func forEachReading(after: UInt64, _ body: (Reading, UInt64) throws(StoreError) -> Bool) throws(StoreError) {
        let statement = try connection.statement("SELECT \(ReadingRow.columns) FROM reading WHERE sequence > ?1 ORDER BY sequence")
        defer { statement.reset() }
        try statement.bind(1, after)
        while try statement.step() {
            let row = ReadingRow.decode(statement)
            guard try body(row.reading, row.batch) else { return }
        }
    }

    /// Readings stamped within `[from, to]`, by time then sequence, filtered by name, at most `limit`.
    func readings(from: Timestamp?, to: Timestamp?, names: Set<String>?, limit: Int) throws(StoreError) -> [Reading] {
        let statement = try connection.statement(
            "SELECT \(ReadingRow.columns) FROM reading WHERE time >= ?1 AND time <= ?2 ORDER BY time, sequence")
        defer { statement.reset() }
        try statement.bind(1, from?.millisecondsSinceEpoch ?? Int64.min)
        try statement.bind(2, to?.millisecondsSinceEpoch ?? Int64.max)
        var result: [Reading] = []
        while result.count < limit, try statement.step() {
            let reading = ReadingRow.decode(statement).reading
            if let names, !names.contains(reading.name) { continue }
            result.append(reading)
        }
        return result
    }

    /// The first and last reading after `after` (sequence and time), or nil when there is none.
    func ends(after: UInt64) throws(StoreError) -> (first: SequencePoint, last: SequencePoint)? {
        let first = try connection.statement("SELECT sequence, time FROM reading WHERE sequence > ?1 ORDER BY sequence LIMIT 1")
        let last = try connection.statement("SELECT sequence, time FROM reading WHERE sequence > ?1 ORDER BY sequence DESC LIMIT 1")
        guard let head = try point(first, after), let tail = try point(last, after) else { return nil }
        return (head, tail)
    }

    private func point(_ statement: SQLiteStatement, _ after: UInt64) throws(StoreError) -> SequencePoint? {
        defer { statement.reset() }
        try statement.bind(1, after)
        guard try statement.step() else { return nil }
        return SequencePoint(sequence: statement.uint64(0), timestamp: Timestamp(millisecondsSinceEpoch: statement.int64(1)))
    }
}
