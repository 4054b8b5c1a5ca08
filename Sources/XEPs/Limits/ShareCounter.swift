import Synchronization

/// A `ShareTable` behind a lock, for shares taken and given back from different tasks
/// (readouts in progress).
package final class ShareCounter: Sendable {
    private let table: Mutex<ShareTable>

    package init(_ policy: SharePolicy) {
        table = Mutex(ShareTable(policy))
    }

    /// Takes one share for `consumer`, or says which share is full.
    package func acquire(_ consumer: Consumer) -> ShareTable.Refusal? {
        table.withLock { $0.acquire(consumer) }
    }

    package func release(_ consumer: Consumer) {
        table.withLock { $0.release(consumer) }
    }

    /// What `consumer` holds.
    package func held(by consumer: Consumer) -> Int {
        table.withLock { $0.held(by: consumer) }
    }
}
