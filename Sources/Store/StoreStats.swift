package import Support

/// A reading's place in the outbox: its sequence number and when it was taken.
package struct SequencePoint: Sendable, Equatable {
    package var sequence: UInt64
    package var timestamp: Timestamp
}

/// Whether readings reach the disk.
package enum StoreMode: Sendable, Equatable {
    case normal
    /// The database cannot be written (full disk, read-only file system, unopenable file):
    /// new readings wait in a bounded memory queue and the store retries periodically.
    case degraded(StoreError, since: Timestamp)
}

/// The outbox at a glance, for the status line, `kinglet buffer stats` and the readout.
package struct StoreStats: Sendable, Equatable {
    /// Readings not yet acknowledged by the server: committed to disk, plus those held in
    /// memory while degraded. Uncommitted readings are counted apart.
    package var pendingReadings = 0
    package var pendingBytes = 0
    package var oldestPending: SequencePoint?
    package var newestPending: SequencePoint?
    /// Readings appended but waiting for the next commit (write batching).
    package var uncommittedReadings = 0
    /// Of the pending readings, those held in memory because the disk cannot be written.
    package var memoryReadings = 0
    package var lastSequence: UInt64 = 0
    package var acknowledgedThrough: UInt64 = 0
    /// Readings dropped or refused by the bounds, ever (persisted).
    package var dropped: UInt64 = 0
    /// Acknowledged readings kept for historical requests.
    package var historyReadings = 0
    /// The database file plus its write-ahead log.
    package var fileBytes: Int64 = 0
    package var mode: StoreMode = .normal

    package init() {}
}
