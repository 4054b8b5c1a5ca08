package import Readings
package import Support

/// The durable outbox and history of readings, in one SQLite file.
///
/// An actor that owns the connection: the device appends from its task, the publisher reads
/// and acknowledges from the session's, the readout queries history, and the actor serializes
/// them with no lock. SQLite calls are synchronous and short (a commit is one transaction; reads
/// are bounded by their limits), so they run on the actor rather than on a thread of their own.
///
/// Life of a reading: `append` puts its batch in the write buffer; a commit (after
/// `commitInterval`, or once `commitBatchSize` readings gather) writes it to the file and
/// wakes `updates()` subscribers; the publisher takes it from `pending` and, once the server
/// has acknowledged it, calls `acknowledge(throughSequence:)`, which turns it into history (if
/// history is kept) or deletes it. When the file cannot be written the store keeps running:
/// readings wait in a bounded memory queue (still visible to `pending`) and it retries.
package actor ReadingStore {
    package let configuration: StoreConfiguration
    /// Wall time for timestamps and age limits; the commit and retry timers.
    let clock: any AgentClock
    let logger = Logger("store")

    /// The open file; nil when it could not be opened (then readings live in `memory`).
    var database: OutboxDatabase?
    /// Whether a file was ever open in this process, which decides how its counters merge
    /// with the in-memory ones when it opens late.
    var openedOnce = false
    /// The clock-based number handed to the device when the file could not be opened at start-up.
    var numberingStart: UInt64?
    /// The highest sequence number a restart cannot hand out again: the file's last sequence
    /// as last written (or, before any file opened, every clock-based number). Readings held in
    /// memory above it are not published: a restarted agent numbers on from the file and would
    /// publish their item ids again for other readings.
    var recordedThrough: UInt64 = 0
    /// The last attempt to record the numbering alone failed; the next retry tries again.
    var recordingFailed = false
    var ledger = Ledger()
    /// Appended, not yet committed.
    var buffer = BatchQueue()
    /// Held while degraded: newer than everything in the file, and visible to `pending`.
    var memory = BatchQueue()
    /// Normal or degraded, and which timers are armed: decided there, carried out here.
    var machine: StoreMachine
    /// Meta values changed in memory and not yet written.
    var metaDirty = false
    /// The last commit left deletions for a follow-up (see `deletesPerCommit`).
    var deletionBacklog = false
    /// Whether a bound is currently dropping readings, so the log says so once per episode.
    var overflowing = false
    /// The timers and the follow-up `machine` armed, to cancel them.
    var commitTimer: Task<Void, Never>?
    var retryTimer: Task<Void, Never>?
    var followUp: Task<Void, Never>?
    var subscribers: [Int: AsyncStream<UInt64>.Continuation] = [:]
    var nextSubscriber = 0

    /// Opens or creates the database. Never fails for an unwritable path, a full disk or a
    /// corrupt file: those leave the store running, degraded or with a fresh file, and logged.
    /// Throws only when the file must not be touched: its schema is newer than this build
    /// (`.newerSchema`) or it belongs to another program (`.notKinglet`); the agent should
    /// then exit with a config error rather than restart in a loop.
    package init(configuration: StoreConfiguration, clock: any AgentClock = SystemClock()) async throws(StoreError) {
        self.configuration = configuration
        self.clock = clock
        machine = StoreMachine(StoreMachine.Settings(
            commitInterval: configuration.commitInterval, commitBatchSize: configuration.commitBatchSize,
            retryInterval: configuration.retryInterval))
        do throws(StoreError) {
            try adopt(try DatabaseFile.open(configuration, clock: clock, logger: logger))
        } catch where error.kind == .newerSchema || error.kind == .notKinglet {
            logger.error("cannot use \(configuration.path): \(error)")
            throw error
        } catch {
            // Without the file the last sequence is unknown; numbering from the clock keeps new
            // numbers above anything the file holds, so nothing collides when it opens later.
            ledger.meta.lastSequence = clockSequence()
            numberingStart = ledger.meta.lastSequence
            recordedThrough = .max
            enterDegraded(error, holding: [])
        }
    }

    // MARK: device side

    /// The highest sequence number ever appended, persisted across restarts. The device
    /// numbers its next reading one above this.
    package func lastSequence() -> UInt64 { ledger.meta.lastSequence }

    /// Queues one batch (one device tick) for the outbox. Never throws: a batch that cannot be
    /// stored is held in memory, or dropped and counted, and the log says why. Its readings
    /// must be numbered consecutively above `lastSequence()`.
    package func append(_ batch: ReadingBatch) {
        guard !machine.closed else {
            logger.warning("append after close: \(batch.readings.count) readings not stored")
            return
        }
        guard isWellNumbered(batch) else { return }
        ledger.meta.lastSequence = batch.lastSequence
        metaDirty = true
        if database == nil || isDegraded {
            hold([batch])
            if !recordingFailed { recordNumbering() }
            return
        }
        buffer.append(batch)
        perform(machine.buffered(buffer.totals.count))
    }

    /// Commits whatever waits in the write buffer now, and finishes deletions that commits
    /// left for follow-ups, e.g. before shutting down.
    package func flush() {
        repeat { commit() } while deletionBacklog && !isDegraded
    }

    deinit {
        // A store dropped without `close()` must not leave publishers waiting forever.
        for continuation in subscribers.values { continuation.finish() }
        commitTimer?.cancel()
        retryTimer?.cancel()
        followUp?.cancel()
    }

    /// Flushes, stops the timers and closes the file. Readings still held in memory because
    /// the disk cannot be written are lost, and the log says how many.
    package func close() {
        guard !machine.closed else { return }
        if isDegraded { retry() } else { flush() }
        if !memory.isEmpty || !buffer.isEmpty {
            logger.error("closing with \(memory.totals.count + buffer.totals.count) readings that could not be written; they are lost")
        }
        perform(machine.closing())
        database = nil
        for continuation in subscribers.values { continuation.finish() }
        subscribers.removeAll()
    }

    // MARK: publisher side

    /// Up to `maxBatches` pending batches with readings after `afterSequence`, oldest first, each
    /// exactly as appended (a batch is one PubSub item; its `firstSequence` is the item id).
    /// Only committed batches are returned, and, while degraded, those held in memory whose
    /// numbers the file records (`recordedThrough`).
    /// `afterSequence` below the acknowledged point starts there: pass 0 to resend everything.
    package func pending(afterSequence: UInt64, maxBatches: Int) throws(StoreError) -> [ReadingBatch] {
        let after = max(afterSequence, ledger.meta.acknowledgedThrough)
        var batches = try database?.pending(after: after, maxBatches: maxBatches) ?? []
        for batch in memory.batches
        where batches.count < maxBatches && batch.firstSequence > after && batch.lastSequence <= recordedThrough {
            batches.append(batch)
        }
        return batches
    }

    /// Records that the server has acknowledged every reading up to `sequence` (XEP-0198 acks
    /// arrive in order, so one number says it all; pass the `lastSequence` of the last batch
    /// covered by `<a h=''/>`). They stop being pending at once, and become history or are
    /// deleted at the next commit. Acknowledging again or below the current point does nothing.
    package func acknowledge(throughSequence sequence: UInt64) {
        let previous = ledger.meta.acknowledgedThrough
        let through = min(sequence, ledger.visibleThrough)
        guard through > previous else { return }
        ledger.meta.acknowledgedThrough = through
        metaDirty = true
        memory.removeThrough(through)
        if let database {
            do throws(StoreError) {
                let acknowledged = try database.totals(after: previous, through: through)
                ledger.pending = ledger.pending - acknowledged
                if configuration.keepsHistory { ledger.historyCount += acknowledged.count }
            } catch {
                // The counters are recomputed from the file when the store recovers.
                enterDegraded(error, holding: [])
                return
            }
        }
        perform(machine.changed())
    }

    /// A stream that yields the highest available sequence whenever new batches can be read
    /// with `pending`, so the publisher need not poll. Yields at once if batches are already
    /// pending; keeps only the newest value, so a slow reader sees the latest, not a backlog.
    package func updates() -> AsyncStream<UInt64> {
        let (stream, continuation) = AsyncStream.makeStream(of: UInt64.self, bufferingPolicy: .bufferingNewest(1))
        let id = nextSubscriber
        nextSubscriber += 1
        subscribers[id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(id) }
        }
        if ledger.visibleThrough > ledger.meta.acknowledgedThrough { continuation.yield(ledger.visibleThrough) }
        return stream
    }

    private func unsubscribe(_ id: Int) {
        subscribers[id] = nil
    }

    func notifySubscribers() {
        for continuation in subscribers.values { continuation.yield(ledger.visibleThrough) }
    }

    // MARK: readout side

    /// Readings (acknowledged and pending, committed or not) stamped within `from...to`
    /// (either end open when nil), by time then sequence, only those named in `names` when
    /// given, at most `limit`: what an XEP-0323 historical request asks for.
    package func history(from: Timestamp?, to: Timestamp?, names: Set<String>?, limit: Int) throws(StoreError) -> [Reading] {
        var readings = try database?.readings(from: from, to: to, names: names, limit: limit) ?? []
        var held: [Reading] = []
        for batch in memory.batches + buffer.batches {
            for reading in batch.readings where names?.contains(reading.name) ?? true {
                if let from, reading.timestamp < from { continue }
                if let to, reading.timestamp > to { continue }
                held.append(reading)
            }
        }
        guard !held.isEmpty else { return readings }
        readings += held
        readings.sort { ($0.timestamp, $0.sequence) < ($1.timestamp, $1.sequence) }
        return Array(readings.prefix(limit))
    }

    /// The outbox at a glance. Cheap: counters are kept in memory; two indexed lookups find
    /// the oldest and newest pending readings.
    package func stats() -> StoreStats {
        var stats = StoreStats()
        let acknowledged = ledger.meta.acknowledgedThrough
        if let ends = try? database?.ends(after: acknowledged) {
            stats.oldestPending = ends.first
            stats.newestPending = ends.last
        }
        if let first = memory.first?.readings.first, let last = memory.last?.readings.last {
            stats.oldestPending = stats.oldestPending ?? SequencePoint(sequence: first.sequence, timestamp: first.timestamp)
            stats.newestPending = SequencePoint(sequence: last.sequence, timestamp: last.timestamp)
        }
        stats.pendingReadings = ledger.pending.count + memory.totals.count
        stats.pendingBytes = ledger.pending.bytes + memory.totals.bytes
        stats.uncommittedReadings = buffer.totals.count
        stats.memoryReadings = memory.totals.count
        stats.lastSequence = ledger.meta.lastSequence
        stats.acknowledgedThrough = acknowledged
        stats.dropped = ledger.meta.dropped
        stats.historyReadings = ledger.historyCount
        stats.fileBytes = DatabaseFile.size(configuration.path)
        stats.mode = machine.mode
        return stats
    }

    var isDegraded: Bool { machine.isDegraded }

    /// Batches must be non-empty, numbered upward and above everything seen; anything else is
    /// a caller bug, dropped and counted rather than allowed to break the numbering.
    private func isWellNumbered(_ batch: ReadingBatch) -> Bool {
        var previous = ledger.meta.lastSequence
        for reading in batch.readings {
            guard reading.sequence > previous else {
                logger.error("batch \(batch.firstSequence) is not numbered above \(previous); \(batch.readings.count) readings dropped")
                ledger.meta.dropped += UInt64(batch.readings.count)
                metaDirty = true
                return false
            }
            previous = reading.sequence
        }
        return !batch.readings.isEmpty
    }
}

/// The store's counters, replaced as one value so that a rolled-back commit leaves them as
/// they were.
struct Ledger: Sendable {
    var meta = Meta()
    /// Pending readings in the file (not those in memory or the write buffer).
    var pending = Totals()
    /// Acknowledged readings kept in the file.
    var historyCount = 0
    /// The highest sequence the publisher can have seen: committed, or held in memory.
    var visibleThrough: UInt64 = 0
}
