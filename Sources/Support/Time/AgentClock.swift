import Synchronization

/// The agent's one sense of time: a monotonic clock for schedules, time limits and back-off,
/// sleeping until a point on it, and the wall clock for timestamps. Injected everywhere time
/// matters (the session, the publisher, the store, the device, the handlers), so that tests
/// drive time with `ManualClock` instead of waiting on the real one.
package protocol AgentClock: Sendable {
    /// Monotonic time since an arbitrary origin.
    func now() -> Duration
    /// Suspends until the monotonic time reaches `deadline`; throws when the task is cancelled.
    func sleep(until deadline: Duration) async throws
    /// UTC wall-clock time, for reading timestamps.
    func wallTime() -> Timestamp
}

extension AgentClock {
    /// A one-shot timer: runs `action` once `delay` has passed on this clock, unless the returned
    /// task is cancelled first. Every timer in the agent is made here, so that a manual clock
    /// moves all of them.
    @discardableResult
    package func after(_ delay: Duration, _ action: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        let deadline = now() + delay
        return Task {
            do {
                try await sleep(until: deadline)
            } catch {
                return  // cancelled: the action does not run
            }
            guard !Task.isCancelled else { return }
            await action()
        }
    }
}

/// The real clocks: `ContinuousClock` (which keeps counting through a suspend) and CLOCK_REALTIME.
package struct SystemClock: AgentClock {
    private let origin = ContinuousClock.now

    package init() {}

    package func now() -> Duration { origin.duration(to: .now) }

    package func sleep(until deadline: Duration) async throws {
        try await Task.sleep(until: origin.advanced(by: deadline), clock: .continuous)
    }

    package func wallTime() -> Timestamp { Timestamp.now() }
}
