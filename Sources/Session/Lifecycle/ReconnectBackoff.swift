/// How long to wait before the next connection attempt: exponential growth from `initial` up to
/// `cap`, with jitter so a fleet that lost the same server does not come back in lock-step.
///
/// Each delay is drawn uniformly from [d/2, d] where d = min(cap, initial * 2^attempt): never
/// more than the cap, so "back online within the back-off bound" is a promise the tests check.
package struct ReconnectBackoff: Sendable {
    package let initial: Duration
    package let cap: Duration
    package private(set) var attempt = 0

    package init(initial: Duration = .seconds(1), cap: Duration = .seconds(60)) {
        self.initial = initial
        self.cap = max(cap, initial)
    }

    /// The ceiling for the next delay, before jitter.
    package var currentCeiling: Duration {
        var d = initial
        for _ in 0..<min(attempt, 30) {
            d = d * 2
            if d >= cap { return cap }
        }
        return min(d, cap)
    }

    /// The delay before the next attempt; advances the attempt counter. `unit` is a uniform
    /// random number in [0, 1], injected for tests.
    package mutating func nextDelay(unit: Double = Double.random(in: 0...1)) -> Duration {
        let ceiling = currentCeiling
        attempt += 1
        return ceiling / 2 + (ceiling / 2) * min(max(unit, 0), 1)
    }

    /// Skips straight to the cap: for failures that retrying soon cannot fix (a wrong password,
    /// a `conflict`), which must not become a tight loop.
    package mutating func jumpToCap() {
        attempt = 31
    }

    /// A session got online: the next failure starts from `initial` again.
    package mutating func reset() {
        attempt = 0
    }
}
