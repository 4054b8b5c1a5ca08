import Support

/// Scheduled readouts (XEP-0323 `when`) waiting for their time, so that `cancel` can stop them
/// and a flood of them cannot pile up.
actor ReadoutQueue {
    /// A readout is known by who asked and the number they gave it.
    struct Key: Hashable, Sendable {
        let requester: String
        let seqnr: String
    }

    private var pending: [Key: Task<Void, Never>] = [:]
    private let capacity: Int
    private let clock: any AgentClock

    init(capacity: Int, clock: any AgentClock) {
        self.capacity = capacity
        self.clock = clock
    }

    var isFull: Bool { pending.count >= capacity }
    var count: Int { pending.count }

    /// Runs `body` after `delay` unless cancelled first. A second readout with the same key
    /// replaces the first.
    func schedule(_ key: Key, after delay: Duration, _ body: @escaping @Sendable () async -> Void) {
        pending.removeValue(forKey: key)?.cancel()
        pending[key] = clock.after(delay) {
            await self.finished(key)
            await body()
        }
    }

    /// Stops a scheduled readout; false when none was waiting under `key`.
    @discardableResult
    func cancel(_ key: Key) -> Bool {
        guard let task = pending.removeValue(forKey: key) else { return false }
        task.cancel()
        return true
    }

    private func finished(_ key: Key) {
        pending.removeValue(forKey: key)
    }
}
