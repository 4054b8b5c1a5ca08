/// How the outbox is stored and bounded: the `[store]` section of the config, as plain values.
///
/// Every bound set to 0 (or `.zero`) is off. Defaults suit a Raspberry Pi on an SD card.
package struct StoreConfiguration: Sendable, Equatable {
    /// SQLite's `synchronous` setting in WAL mode.
    package enum Synchronous: String, Sendable, CaseIterable {
        /// fsync at every commit: a committed reading survives a power cut. The default.
        case full
        /// fsync only at checkpoints: a power cut may lose the last commits, never corrupt the file.
        case normal
        /// no fsync at all: for tmpfs or tests.
        case off
    }

    /// What happens when a new batch would break a bound.
    package enum OverflowPolicy: String, Sendable, CaseIterable {
        /// Delete the oldest pending batches to make room (`drop_oldest`). The default.
        case dropOldest = "drop_oldest"
        /// Keep what is stored and refuse the new batch (`reject_new`).
        case rejectNew = "reject_new"
    }

    /// The database file; `-wal` and `-shm` files appear beside it.
    package var path: String
    package var synchronous: Synchronous = .full

    /// Most pending (unacknowledged) readings kept.
    package var maxReadings: Int = 1_000_000
    /// Most bytes of pending readings kept, counted as in `ReadingRow.byteSize` (payload plus a
    /// fixed per-row overhead; close to, but not exactly, the space they take in the file).
    package var maxBytes: Int = 128 << 20
    /// Pending readings older than this (by their timestamp) are dropped: the TTL.
    package var maxAge: Duration = .zero
    package var overflow: OverflowPolicy = .dropOldest

    /// Acknowledged readings kept for XEP-0323 historical requests, newest first. With both
    /// history bounds off, acknowledged readings are deleted at once.
    package var historyMaxReadings: Int = 0
    /// Acknowledged readings older than this are deleted.
    package var historyMaxAge: Duration = .zero

    /// Write batching, to spare SD-card flash: appended batches wait in memory until this much
    /// time has passed since the first of them, or `commitBatchSize` readings have gathered,
    /// and are then committed in one transaction. The trade-off: readings not yet committed
    /// when the power fails or the process is killed are lost, and never were published
    /// (the publisher only sees committed readings). `.zero` commits every batch at once.
    package var commitInterval: Duration = .seconds(1)
    package var commitBatchSize: Int = 1000

    /// When the database cannot be written (full disk, read-only file system), readings are
    /// held in memory up to this many, with the overflow policy; the store retries every
    /// `retryInterval`.
    package var memoryMaxReadings: Int = 10_000
    package var retryInterval: Duration = .seconds(30)

    /// A hard cap on the database file (`PRAGMA max_page_count`); reaching it behaves like a
    /// full disk. 0 = only the disk limits the file.
    package var maxFileBytes: Int = 0
    /// Run `PRAGMA quick_check` when opening, so a damaged file is caught at start-up rather
    /// than mid-run. Costs about a second per few hundred MB.
    package var checkOnOpen: Bool = true
    /// How long to wait for another connection's lock (the CLI exporting) before failing.
    package var busyTimeout: Duration = .seconds(5)

    package init(path: String) {
        self.path = path
    }

    /// Whether acknowledged readings are kept at all.
    var keepsHistory: Bool { historyMaxReadings > 0 || historyMaxAge > .zero }
}
