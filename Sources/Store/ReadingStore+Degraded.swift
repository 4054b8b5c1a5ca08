import Readings
import Support

/// Running without a writable file: the bounded memory queue, retries, and adopting a file
/// that opens (or reopens) later.
extension ReadingStore {
    /// Switches to memory mode after `error`, keeps `batches` (never committed) in memory,
    /// and arms the retry timer. Logs an error line when the mode changes, not on every retry.
    func enterDegraded(_ error: StoreError, holding batches: [ReadingBatch]) {
        perform(machine.writeFailed(error, at: clock.wallTime()))
        hold(batches)
        if !recordingFailed { recordNumbering() }
    }

    /// Puts batches in the memory queue under `memoryMaxReadings` and the overflow policy,
    /// and tells subscribers: held batches are published like committed ones.
    func hold(_ batches: [ReadingBatch]) {
        guard !batches.isEmpty else { return }
        let limit = configuration.memoryMaxReadings
        var dropped = 0
        for batch in batches {
            let size = batch.readings.count
            if limit > 0 && (size > limit || configuration.overflow == .rejectNew && memory.totals.count + size > limit) {
                dropped += size
                continue
            }
            while limit > 0 && memory.totals.count + size > limit, let oldest = memory.removeFirst() {
                dropped += oldest.readings.count
            }
            memory.append(batch)
        }
        exposeRecorded()
        if dropped > 0 {
            ledger.meta.dropped += UInt64(dropped)
            metaDirty = true
            if !overflowing {
                overflowing = true
                logger.warning("memory queue full (\(memory.totals.count) readings): dropping readings; \(ledger.meta.dropped) dropped in all")
            }
        }
    }

    /// Makes the held batches whose numbers the file records visible to the publisher, and
    /// tells subscribers when that moved.
    func exposeRecorded() {
        guard let newest = memory.batches.last(where: { $0.lastSequence <= recordedThrough }),
            newest.lastSequence > ledger.visibleThrough
        else { return }
        ledger.visibleThrough = newest.lastSequence
        notifySubscribers()
    }

    /// Writes only the last sequence number to the file, so that the held readings may be
    /// published: their numbers will not be handed out again after a restart. This works where
    /// the file cannot grow but its pages can be rewritten (`max_file_bytes`); on a file system
    /// with no space left even the write-ahead log cannot take it (measured on tmpfs: a
    /// truncating checkpoint fails there too). Then the readings wait, unpublished, until a
    /// retry writes the file; the attempt is repeated at each retry, not per reading.
    func recordNumbering() {
        guard let database, ledger.meta.lastSequence > recordedThrough else { return }
        let last = ledger.meta.lastSequence
        do throws(StoreError) {
            try database.connection.transaction { () throws(StoreError) in try database.saveLastSequence(last) }
            recordedThrough = last
            recordingFailed = false
            exposeRecorded()
        } catch {
            if !recordingFailed {
                logger.warning("cannot record sequence numbers in \(configuration.path) either (\(error)): readings held in memory are not published until it can be written")
            }
            recordingFailed = true
        }
    }

    /// Tries to leave memory mode: reopens the file if needed, then writes the held batches
    /// and the meta row in one transaction. Re-arms the timer on failure.
    func retry() {
        guard isDegraded, !machine.closed else { return }
        do throws(StoreError) {
            if database == nil || machine.needsReopen {
                // Close first: a connection left open on a file that is then moved aside would,
                // on closing, delete the new file's write-ahead log by name.
                database = nil
                try adopt(try openForAdoption())
                machine.reopened()
            }
            guard let database else { return }
            let held = memory
            let batches = memory.removeAll()
            var next = ledger
            do throws(StoreError) {
                let report = try database.connection.transaction { () throws(StoreError) -> CommitReport in
                    try write(batches, into: &next, database: database)
                }
                recordingFailed = false
                logger.info("writing to \(configuration.path) again; \(report.inserted) readings moved from memory")
                committed(next, report)
                perform(machine.retrySucceeded(deletionBacklog: report.backlog))
                notifySubscribers()
            } catch {
                memory = held
                throw error
            }
        } catch {
            logger.debug("retry failed: \(error)")
            recordNumbering()
            perform(machine.retryFailed(error))
        }
    }

    /// Opens the file to adopt it. A file opened for the first time after start-up whose
    /// numbering runs above the clock-based numbers already handed to the device cannot take
    /// them (the clock was behind); it is moved aside, with an error line, and a fresh file
    /// used, so that readings keep being stored and no item id is reused.
    private func openForAdoption() throws(StoreError) -> DatabaseFile.Opened {
        var opened: DatabaseFile.Opened? = try DatabaseFile.open(configuration, clock: clock, logger: logger, forceCheck: machine.needsReopen)
        guard !openedOnce, let handedOut = numberingStart, let last = try opened?.database.loadMeta().lastSequence,
            last > handedOut
        else { return opened! }
        opened = nil  // closed before the move, or closing it would delete the moved file's log
        let aside = try DatabaseFile.moveAside(configuration.path, reason: "renumbered", at: clock.wallTime())
        logger.error(
            "\(configuration.path) numbers readings up to \(last), above the \(handedOut) used while it was unavailable "
                + "(the clock was behind); moved it to \(aside) and started a fresh database")
        return try DatabaseFile.open(configuration, clock: clock, logger: logger)
    }

    /// Takes an opened file as the store's: loads its counters and merges them with what this
    /// process already knows (numbering, acknowledgements and drops made while it had no file).
    func adopt(_ opened: DatabaseFile.Opened) throws(StoreError) {
        let database = opened.database
        let stored = try database.loadMeta()
        var meta = ledger.meta
        // A replaced file's numbering is lost. Before the device has started (the first open),
        // numbering from the clock keeps item ids from repeating; once it runs, its own numbers stand.
        if opened.replacedCorruptFile && !openedOnce { meta.lastSequence = max(meta.lastSequence, clockSequence()) }
        meta.dropped = openedOnce ? max(meta.dropped, stored.dropped) : meta.dropped + stored.dropped
        // A file opened late may hold pending readings this process never handed out: the
        // acknowledgements made meanwhile were not for them, so the file's point stands.
        let filePending = try database.totals(after: stored.acknowledgedThrough).count
        if openedOnce || filePending == 0 {
            meta.acknowledgedThrough = max(meta.acknowledgedThrough, stored.acknowledgedThrough)
        } else {
            meta.acknowledgedThrough = stored.acknowledgedThrough
        }
        meta.lastSequence = max(meta.lastSequence, stored.lastSequence)
        // The file's word stands for what it records, except for clock-based numbers handed
        // out before any file opened: they are above anything a restart numbers from.
        recordedThrough = !openedOnce && numberingStart != nil ? max(stored.lastSequence, ledger.meta.lastSequence) : stored.lastSequence
        let pending = try database.totals(after: meta.acknowledgedThrough)
        let history = try database.totals(after: 0, through: meta.acknowledgedThrough)
        let newest = try database.ends(after: 0)?.last.sequence ?? 0
        ledger.meta = meta
        ledger.pending = pending
        ledger.historyCount = history.count
        ledger.visibleThrough = max(ledger.visibleThrough, newest)
        metaDirty = meta != stored
        self.database = database
        openedOnce = true
    }

    /// A sequence number above anything a lost file can have held: the wall clock in
    /// microseconds. Used when the previous numbering is unknown (the file could not be opened,
    /// or was corrupt), so item ids do not repeat; receivers see a gap instead.
    func clockSequence() -> UInt64 {
        UInt64(max(0, clock.wallTime().millisecondsSinceEpoch)) * 1000
    }
}
