import Readings
import Support

/// What one commit did, for the log.
struct CommitReport {
    var inserted = 0
    var expired = 0
    var rejected = 0
    var overflowed = 0
    /// Deletions were cut short by the per-commit budget; a follow-up commit continues.
    var backlog = false
    var dropped: Int { expired + rejected + overflowed }
}

/// The most rows one commit deletes (acknowledged, expired or overflowing). More is left to
/// follow-up commits, so that an append never waits behind one huge delete (a million
/// acknowledgements at once would otherwise hold the actor for half a second).
let deletesPerCommit = 5_000

extension ReadingStore {
    /// Carries out what the state machine decided.
    func perform(_ actions: [StoreMachine.Action]) {
        for action in actions {
            switch action {
            case .commit:
                commit()
            case .armCommitTimer(let delay):
                commitTimer = clock.after(delay) { [weak self] in await self?.commitTimerFired() }
            case .cancelCommitTimer:
                commitTimer?.cancel()
                commitTimer = nil
            case .scheduleFollowUp:
                followUp = Task { [weak self] in await self?.followUpFired() }
            case .armRetryTimer(let delay):
                retryTimer = clock.after(delay) { [weak self] in await self?.retryTimerFired() }
            case .retry:
                retry()
            case .reportDegraded(let error):
                logger.error(
                    "cannot write \(configuration.path): \(error); holding up to \(configuration.memoryMaxReadings) "
                        + "readings in memory and retrying every \(configuration.retryInterval)")
            case .cancelTimers:
                for timer in [commitTimer, retryTimer, followUp] { timer?.cancel() }
                (commitTimer, retryTimer, followUp) = (nil, nil, nil)
            }
        }
    }

    private func commitTimerFired() {
        commitTimer = nil
        perform(machine.commitTimerFired())
    }

    private func followUpFired() {
        followUp = nil
        perform(machine.followUpFired())
    }

    private func retryTimerFired() {
        retryTimer = nil
        perform(machine.retryTimerFired())
    }

    /// Writes the buffer, the acknowledgement point and the bounds in one transaction. On
    /// failure the buffered batches move to the memory queue and the store degrades.
    func commit() {
        let (mayWrite, first) = machine.commitStarting()
        perform(first)
        guard let database, mayWrite, !buffer.isEmpty || metaDirty || deletionBacklog else { return }
        let batches = buffer.removeAll()
        var next = ledger
        do throws(StoreError) {
            let report = try database.connection.transaction { () throws(StoreError) -> CommitReport in
                try write(batches, into: &next, database: database)
            }
            committed(next, report)
            perform(machine.wrote(deletionBacklog: report.backlog))
            if report.inserted > 0 { notifySubscribers() }
        } catch {
            enterDegraded(error, holding: batches)
        }
    }

    /// Takes the counters of a successful commit (or retry); says whether deletions remain.
    func committed(_ next: Ledger, _ report: CommitReport) {
        ledger = next
        recordedThrough = next.meta.lastSequence
        metaDirty = false
        deletionBacklog = report.backlog
        logBounds(report)
    }

    /// The body of every write transaction: history retention, the TTL, the new batches under
    /// the overflow policy, and the meta row. Updates `next` to match what it wrote.
    func write(_ batches: [ReadingBatch], into next: inout Ledger, database: OutboxDatabase) throws(StoreError) -> CommitReport {
        var report = CommitReport()
        var budget = deletesPerCommit
        let acknowledged = next.meta.acknowledgedThrough
        try settleHistory(&next, database: database, budget: &budget)
        if configuration.maxAge > .zero, budget > 0 {
            let cutoff = clock.wallTime().adding(milliseconds: -configuration.maxAge.milliseconds)
            if let expired = try database.expiredHead(after: acknowledged, through: UInt64(Int64.max), before: cutoff, limit: budget) {
                try database.delete(after: acknowledged, through: expired.through)
                next.pending = next.pending - expired.totals
                report.expired = expired.totals.count
                budget -= expired.totals.count
            }
        }
        for batch in batches {
            let size = BatchQueue.totals(of: batch)
            if configuration.overflow == .rejectNew, excess(over: next.pending + size) != nil {
                report.rejected += size.count
                continue
            }
            try database.insert(batch)
            next.pending = next.pending + size
            next.visibleThrough = max(next.visibleThrough, batch.lastSequence)
            report.inserted += size.count
        }
        if configuration.overflow == .dropOldest, let needed = excess(over: next.pending),
            let cut = try database.overflowCut(after: acknowledged, freeing: needed, limit: max(budget, 1))
        {
            try database.delete(after: acknowledged, through: cut.through)
            next.pending = next.pending - cut.freed
            report.overflowed = cut.freed.count
            budget -= cut.freed.count
        }
        report.backlog = budget <= 0
        next.meta.dropped += UInt64(report.dropped)
        try database.saveMeta(next.meta)
        return report
    }

    /// Deletes acknowledged readings that history does not keep, within `budget` rows.
    private func settleHistory(_ next: inout Ledger, database: OutboxDatabase, budget: inout Int) throws(StoreError) {
        let acknowledged = next.meta.acknowledgedThrough
        guard configuration.keepsHistory else {
            // A cheap seek when nothing is there; also clears history kept under an older config.
            budget -= try database.deleteOldest(through: acknowledged, count: budget)
            next.historyCount = 0
            return
        }
        if configuration.historyMaxAge > .zero {
            let cutoff = clock.wallTime().adding(milliseconds: -configuration.historyMaxAge.milliseconds)
            if let expired = try database.expiredHead(after: 0, through: acknowledged, before: cutoff, limit: budget) {
                let deleted = try database.delete(after: 0, through: expired.through)
                next.historyCount -= deleted
                budget -= deleted
            }
        }
        if configuration.historyMaxReadings > 0, next.historyCount > configuration.historyMaxReadings, budget > 0 {
            let excess = next.historyCount - configuration.historyMaxReadings
            let deleted = try database.deleteOldest(through: acknowledged, count: min(excess, budget))
            next.historyCount -= deleted
            budget -= deleted
        }
    }

    /// How far `totals` is over the count and byte bounds, or nil when within them.
    func excess(over totals: Totals) -> Totals? {
        let count = configuration.maxReadings > 0 ? max(0, totals.count - configuration.maxReadings) : 0
        let bytes = configuration.maxBytes > 0 ? max(0, totals.bytes - configuration.maxBytes) : 0
        return count > 0 || bytes > 0 ? Totals(count: count, bytes: bytes) : nil
    }

    /// Logs dropping once when it starts and once when it stops, not at every commit.
    func logBounds(_ report: CommitReport) {
        if report.dropped > 0 && !overflowing {
            overflowing = true
            var reasons: [String] = []
            if report.overflowed > 0 { reasons.append("outbox full, dropping the oldest readings") }
            if report.rejected > 0 { reasons.append("outbox full, refusing new readings") }
            if report.expired > 0 { reasons.append("readings older than the TTL expired") }
            logger.warning(
                reasons.joined(separator: "; ") + " (\(ledger.pending.count) pending, \(ledger.pending.bytes) bytes; "
                    + "\(ledger.meta.dropped) dropped in all)")
        } else if report.dropped == 0 && overflowing && report.inserted > 0 {
            overflowing = false
            logger.info("outbox within its bounds again; \(ledger.meta.dropped) readings dropped in all")
        }
    }
}
