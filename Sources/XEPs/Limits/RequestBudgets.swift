package import XMPPCore

/// Request rates per consumer and per domain entry, and how many refusals get an answer. A pure
/// value: time (monotonic) comes in as an argument.
///
/// Refusing must stay cheaper than the flood it refuses: a sender past its budget gets
/// `refusals.burst` error replies, then one per `1 / refusals.rate` seconds, and the rest of what
/// it sends is dropped (and counted by whoever logs it), so that refusals never fill the link.
package struct RequestBudgets: Sendable {
    package struct Policy: Sendable, Hashable {
        /// Requests (IQ get/set, messages) of one viewer.
        package var viewer = RateLimit(rate: 10, burst: 20)
        /// All accounts let in by one domain entry together.
        package var domain = RateLimit(rate: 30, burst: 60)
        /// One operator.
        package var `operator` = RateLimit(rate: 50, burst: 100)
        /// Refusals answered per sender: 10 at once (someone trying a client out gets every
        /// answer), then one every 2 s.
        package var refusals = RateLimit(rate: 0.5, burst: 10)
        /// Refusals answered in all, whoever they go to.
        package var allRefusals = RateLimit(rate: 20, burst: 40)
        /// Senders remembered at once; quiet ones are forgotten first.
        package var capacity = 1024

        package init() {}
    }

    package enum Verdict: Sendable, Hashable {
        case admit
        /// Over budget: answer with an error saying when to retry.
        case refuse(retryAfter: Duration)
        /// Over budget and out of answered refusals: drop it without a word.
        case drop
    }

    private struct Sender: Sendable {
        /// The rate of the sender's role, which its `requests` bucket refills at.
        var limit: RateLimit
        var requests: TokenBucket
        var refusals: TokenBucket
    }

    package let policy: Policy
    private var senders: [JID: Sender] = [:]
    private var domains: [String: TokenBucket] = [:]
    private var allRefusals: TokenBucket

    package init(policy: Policy = Policy(), now: Duration = .zero) {
        self.policy = policy
        allRefusals = TokenBucket(policy.allRefusals, now: now)
    }

    /// Senders remembered (for tests).
    package var remembered: Int { senders.count }

    /// Whether a request from `consumer` may be handled now. Strangers are not rated here: all
    /// they get is refusals (`answersRefusal`).
    package mutating func admit(_ consumer: Consumer, at now: Duration) -> Verdict {
        let limit: RateLimit
        switch consumer.role {
        case .operator: limit = policy.operator
        case .viewer: limit = policy.viewer
        case .stranger: return answersRefusal(to: consumer.jid, at: now) ? .refuse(retryAfter: .zero) : .drop
        }
        var sender = entry(consumer.jid, limit: limit, at: now)
        // The sender's own bucket first: a flood empties that, never its domain's.
        var wait = sender.requests.take(limit, at: now)
        if wait == nil, consumer.role == .viewer, let domain = consumer.domain {
            var bucket = domains[domain] ?? TokenBucket(policy.domain, now: now)
            wait = bucket.take(policy.domain, at: now)
            domains[domain] = bucket
        }
        senders[consumer.jid] = sender
        guard let wait else { return .admit }
        return answersRefusal(to: consumer.jid, at: now) ? .refuse(retryAfter: wait) : .drop
    }

    /// Whether a refusal to `jid` gets an answer now (and counts it), or is dropped.
    package mutating func answersRefusal(to jid: JID, at now: Duration) -> Bool {
        var sender = entry(jid.bare, limit: nil, at: now)
        defer { senders[jid.bare] = sender }
        guard sender.refusals.take(policy.refusals, at: now) == nil else { return false }
        return allRefusals.take(policy.allRefusals, at: now) == nil
    }

    /// The sender's entry, new or remembered; `limit` (nil: as it was) is the rate of its role.
    private mutating func entry(_ jid: JID, limit: RateLimit?, at now: Duration) -> Sender {
        if var sender = senders[jid] {
            if let limit, sender.limit != limit {  // seen as a stranger first, say; now with a role
                sender.limit = limit
                sender.requests = TokenBucket(limit, now: now)
            }
            return sender
        }
        if senders.count >= policy.capacity { forgetQuiet(at: now) }
        let limit = limit ?? policy.viewer
        return Sender(limit: limit, requests: TokenBucket(limit, now: now), refusals: TokenBucket(policy.refusals, now: now))
    }

    /// Forgets senders whose buckets are full again (nothing to remember); if every one is busy,
    /// forgets one anyway rather than grow.
    private mutating func forgetQuiet(at now: Duration) {
        let policy = self.policy
        senders = senders.filter { _, sender in
            var s = sender
            return !(s.requests.isFull(s.limit, at: now) && s.refusals.isFull(policy.refusals, at: now))
        }
        if senders.count >= policy.capacity, let any = senders.keys.first { senders[any] = nil }
    }
}
