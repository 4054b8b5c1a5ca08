/// A rate: `rate` requests a second on average, up to `burst` at once. Zero `rate` means no limit.
package struct RateLimit: Sendable, Hashable {
    package var rate: Double
    package var burst: Int

    package init(rate: Double, burst: Int) {
        self.rate = rate
        self.burst = max(1, burst)
    }

    package static let unlimited = RateLimit(rate: 0, burst: 1)

    package var isUnlimited: Bool { rate <= 0 }
}

/// A token bucket: a pure value, time (monotonic) comes in as an argument.
package struct TokenBucket: Sendable, Hashable {
    private var tokens: Double
    private var updated: Duration

    /// A full bucket at `now`.
    package init(_ limit: RateLimit, now: Duration) {
        tokens = Double(limit.burst)
        updated = now
    }

    /// Takes a token if there is one; otherwise returns how long until there is (nothing taken).
    package mutating func take(_ limit: RateLimit, at now: Duration) -> Duration? {
        guard !limit.isUnlimited else { return nil }
        refill(limit, at: now)
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return .seconds((1 - tokens) / limit.rate)
    }

    /// Whether the bucket is full at `now`: its owner has been quiet long enough to be forgotten.
    package mutating func isFull(_ limit: RateLimit, at now: Duration) -> Bool {
        refill(limit, at: now)
        return tokens >= Double(limit.burst)
    }

    private mutating func refill(_ limit: RateLimit, at now: Duration) {
        guard now > updated else { return }
        tokens = min(Double(limit.burst), tokens + (now - updated) / .seconds(1) * limit.rate)
        updated = now
    }
}
