import Support

/// Scheduled readouts (XEP-0323 `when`) waiting for their time. Each holds a share of the
/// scheduled readouts (`[limits]`: per requester, per domain entry, per role) from the moment
/// it is accepted until it runs or is cancelled, so one viewer cannot take them all and the
/// operators' pool is theirs. `cancel` stops one; an operator may stop anyone's.
actor ReadoutQueue {
    /// A readout is known by who asked (the full JID) and the number they gave it.
    struct Key: Hashable, Sendable {
        let requester: String
        let seqnr: String
    }

    /// A readout waiting for its time, as an operator sees it.
    struct Waiting: Sendable, Hashable {
        let key: Key
        let consumer: Consumer
        let due: Timestamp?
    }

    private struct Entry {
        let consumer: Consumer
        let due: Timestamp?
        var task: Task<Void, Never>?
    }

    private var pending: [Key: Entry] = [:]
    private var shares: ShareTable
    private let clock: any AgentClock

    init(policy: SharePolicy, clock: any AgentClock) {
        shares = ShareTable(policy)
        self.clock = clock
    }

    var count: Int { pending.count }

    /// Every readout waiting, soonest first.
    var waiting: [Waiting] {
        pending.map { Waiting(key: $0.key, consumer: $0.value.consumer, due: $0.value.due) }
            .sorted { ($0.due?.millisecondsSinceEpoch ?? 0, $0.key.requester, $0.key.seqnr) < ($1.due?.millisecondsSinceEpoch ?? 0, $1.key.requester, $1.key.seqnr) }
    }

    /// Takes a share for the readout `key` of `consumer`, due at `due`; says which share is full
    /// otherwise. A readout already waiting under the same key is replaced.
    func reserve(_ key: Key, for consumer: Consumer, due: Timestamp?) -> ShareTable.Refusal? {
        remove(key)
        if let refusal = shares.acquire(consumer) { return refusal }
        pending[key] = Entry(consumer: consumer, due: due)
        return nil
    }

    /// Runs `body` after `delay` for the readout reserved under `key`, unless it is cancelled
    /// first (also between the reservation and now: then nothing runs).
    func schedule(_ key: Key, after delay: Duration, _ body: @escaping @Sendable () async -> Void) {
        guard let entry = pending[key], entry.task == nil else { return }
        pending[key]?.task = clock.after(delay) {
            await self.finished(key)
            await body()
        }
    }

    /// Stops a scheduled readout; false when none was waiting under `key`.
    @discardableResult
    func cancel(_ key: Key) -> Bool {
        remove(key)
    }

    /// Stops every waiting readout numbered `seqnr`, whoever asked (an operator's cancel);
    /// returns the ones stopped.
    func cancelAll(seqnr: String) -> [Waiting] {
        let stopped = waiting.filter { $0.key.seqnr == seqnr }
        for readout in stopped { remove(readout.key) }
        return stopped
    }

    @discardableResult
    private func remove(_ key: Key) -> Bool {
        guard let entry = pending.removeValue(forKey: key) else { return false }
        entry.task?.cancel()
        shares.release(entry.consumer)
        return true
    }

    private func finished(_ key: Key) {
        guard let entry = pending.removeValue(forKey: key) else { return }
        shares.release(entry.consumer)
    }
}
