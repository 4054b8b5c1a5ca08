import Support

/// When the store writes and when it retries, as a pure value: the actor (`ReadingStore`) feeds
/// it what happened and carries out the actions it returns (SQLite work and timers on the
/// injected clock); nothing here does I/O or reads a clock.
///
/// - **Normal**: changes wait in the write buffer until `commitBatchSize` readings gather or
///   `commitInterval` passes (at once when the interval is zero). A commit that leaves deletions
///   for later asks for a follow-up commit.
/// - **Degraded** (a write or an open failed): nothing is committed; readings are held in memory
///   and a retry runs every `retryInterval` until one writes them, which returns to normal.
///   Failures that reopening may cure (read-only remount, I/O error, corruption) reopen the
///   file on the next retry.
/// - **Closed**: no timer is armed again.
struct StoreMachine: Sendable {
    enum Action: Sendable, Equatable {
        /// Write the buffer, the acknowledgement point and the bounds now.
        case commit
        case armCommitTimer(Duration)
        case cancelCommitTimer
        /// Commit again on a fresh turn of the actor (deletions left by the last commit).
        case scheduleFollowUp
        case armRetryTimer(Duration)
        /// Try to leave degraded mode: reopen the file if needed and write what memory holds.
        case retry
        /// Say once, at error level, that the store now runs from memory.
        case reportDegraded(StoreError)
        case cancelTimers
    }

    struct Settings: Sendable {
        var commitInterval: Duration
        var commitBatchSize: Int
        var retryInterval: Duration
    }

    let settings: Settings
    private(set) var mode: StoreMode = .normal
    /// The next retry reopens the file first.
    private(set) var needsReopen = false
    private(set) var closed = false
    private(set) var commitTimerArmed = false
    private(set) var retryTimerArmed = false
    private(set) var followUpScheduled = false

    init(_ settings: Settings) {
        self.settings = settings
    }

    var isDegraded: Bool {
        if case .degraded = mode { return true }
        return false
    }

    /// Readings went into the write buffer, which now holds `bufferedReadings`. (While degraded
    /// the actor holds them in memory instead and does not call this.)
    mutating func buffered(_ bufferedReadings: Int) -> [Action] {
        guard !isDegraded, !closed else { return [] }
        return bufferedReadings >= settings.commitBatchSize ? [.commit] : changed()
    }

    /// Something besides readings needs writing (the acknowledgement point, counters): commit
    /// at the next interval, or now when write batching is off.
    mutating func changed() -> [Action] {
        guard !isDegraded, !closed else { return [] }
        guard settings.commitInterval > .zero else { return [.commit] }
        guard !commitTimerArmed else { return [] }
        commitTimerArmed = true
        return [.armCommitTimer(settings.commitInterval)]
    }

    mutating func commitTimerFired() -> [Action] {
        guard commitTimerArmed else { return [] }  // cancelled meanwhile
        commitTimerArmed = false
        return [.commit]
    }

    /// A commit is about to run (timer, batch full, flush): the timer is no longer needed.
    /// Returns whether it may write at all (not while degraded), and what to do first.
    mutating func commitStarting() -> (mayWrite: Bool, actions: [Action]) {
        var actions: [Action] = []
        if commitTimerArmed {
            commitTimerArmed = false
            actions.append(.cancelCommitTimer)
        }
        return (!isDegraded, actions)
    }

    /// A commit or a retry wrote; `deletionBacklog` says it left deletions for a follow-up.
    mutating func wrote(deletionBacklog: Bool) -> [Action] {
        guard deletionBacklog, !followUpScheduled else { return [] }
        followUpScheduled = true
        return [.scheduleFollowUp]
    }

    mutating func followUpFired() -> [Action] {
        followUpScheduled = false
        return [.commit]
    }

    /// A write, an open or a count failed: hold readings in memory and retry.
    mutating func writeFailed(_ error: StoreError, at now: Timestamp) -> [Action] {
        var actions: [Action] = []
        if !isDegraded {
            mode = .degraded(error, since: now)
            actions.append(.reportDegraded(error))
        }
        noteReopen(error)
        return actions + armRetry()
    }

    mutating func retryTimerFired() -> [Action] {
        retryTimerArmed = false
        return isDegraded && !closed ? [.retry] : []
    }

    /// The retry reopened the file.
    mutating func reopened() {
        needsReopen = false
    }

    /// The retry wrote what memory held: back to normal.
    mutating func retrySucceeded(deletionBacklog: Bool) -> [Action] {
        mode = .normal
        return wrote(deletionBacklog: deletionBacklog)
    }

    mutating func retryFailed(_ error: StoreError) -> [Action] {
        noteReopen(error)
        return armRetry()
    }

    /// The store closes: no timer fires again.
    mutating func closing() -> [Action] {
        closed = true
        commitTimerArmed = false
        retryTimerArmed = false
        followUpScheduled = false
        return [.cancelTimers]
    }

    private mutating func armRetry() -> [Action] {
        guard !retryTimerArmed, !closed else { return [] }
        retryTimerArmed = true
        return [.armRetryTimer(settings.retryInterval)]
    }

    private mutating func noteReopen(_ error: StoreError) {
        switch error.kind {
        case .unwritable, .io, .corrupt: needsReopen = true
        case .full, .busy, .newerSchema, .notKinglet, .other: break
        }
    }
}
