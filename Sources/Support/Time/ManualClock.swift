import Synchronization

/// A clock that moves only when told to, for tests of anything that takes an `AgentClock`.
/// Sleepers wake when `advance` passes their deadline; wall time is `wallOrigin` plus the
/// monotonic time.
package final class ManualClock: AgentClock {
    private struct Sleeper {
        let id: UInt64
        let deadline: Duration
        let continuation: CheckedContinuation<Void, any Error>
    }
    private struct State {
        var now: Duration = .zero
        var sleepers: [Sleeper] = []
        var nextID: UInt64 = 0
    }
    private let state = Mutex(State())
    private let wallOrigin: Timestamp

    package init(wallOrigin: Timestamp = Timestamp(secondsSinceEpoch: 1_700_000_000)) {
        self.wallOrigin = wallOrigin
    }

    package func now() -> Duration { state.withLock { $0.now } }

    package func wallTime() -> Timestamp { wallOrigin.adding(milliseconds: now().milliseconds) }

    /// How many tasks are asleep on this clock: tests wait for a timer to be armed before
    /// advancing past it, so that no tick is missed.
    package var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// The earliest deadline a sleeper waits for, if any.
    package var nextDeadline: Duration? { state.withLock { $0.sleepers.map(\.deadline).min() } }

    /// Moves time forward and wakes every sleeper whose deadline has come.
    package func advance(by step: Duration) {
        let woken = state.withLock { s -> [Sleeper] in
            s.now += step
            let now = s.now
            let due = s.sleepers.filter { $0.deadline <= now }
            s.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in woken { sleeper.continuation.resume() }
    }

    package func sleep(until deadline: Duration) async throws {
        let id = state.withLock { s -> UInt64 in
            s.nextID += 1
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow = state.withLock { s -> Bool in
                    if deadline <= s.now || Task.isCancelled { return true }
                    s.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let cancelled = state.withLock { s -> Sleeper? in
                guard let index = s.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return s.sleepers.remove(at: index)
            }
            cancelled?.continuation.resume(throwing: CancellationError())
        }
        try Task.checkCancellation()
    }
}
