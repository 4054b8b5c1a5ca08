import XMPPCore

/// How many of one thing (readouts in progress, scheduled readouts, command sessions) may be
/// held at once: by one consumer, by all accounts of one domain entry, and by each role. The
/// operators' pool is their own: viewers can never use it up.
package struct SharePolicy: Sendable, Hashable {
    package var perConsumer: Int
    package var perDomain: Int
    package var viewers: Int
    package var operators: Int

    package init(perConsumer: Int, perDomain: Int, viewers: Int, operators: Int) {
        self.perConsumer = perConsumer
        self.perDomain = perDomain
        self.viewers = viewers
        self.operators = operators
    }

    /// The most that can ever be held at once.
    package var total: Int { viewers + operators }

    func pool(for role: Role) -> Int {
        switch role {
        case .operator: operators
        case .viewer: viewers
        case .stranger: 0
        }
    }
}

/// Counts what each consumer holds of one kind of thing against a `SharePolicy`. A pure value.
package struct ShareTable: Sendable {
    /// Which share was full.
    package enum Refusal: Sendable, Hashable {
        case consumer(Int), domain(String, Int), role(Role, Int)

        /// Why, for a person: "you have 2 already", "example.org has 4 already".
        package var reason: String {
            switch self {
            case .consumer(let limit): "at most \(limit) per requester"
            case .domain(let domain, let limit): "at most \(limit) for all of \(domain)"
            case .role(let role, let limit): "at most \(limit) for all \(role)s"
            }
        }
    }

    package let policy: SharePolicy
    private var byConsumer: [JID: Int] = [:]
    private var byDomain: [String: Int] = [:]
    private var byRole: [Role: Int] = [:]

    package init(_ policy: SharePolicy) {
        self.policy = policy
    }

    /// Takes one share for `consumer`, or says which share is full (nothing taken then).
    package mutating func acquire(_ consumer: Consumer) -> Refusal? {
        let pool = policy.pool(for: consumer.role)
        if byRole[consumer.role, default: 0] >= pool { return .role(consumer.role, pool) }
        if byConsumer[consumer.jid, default: 0] >= policy.perConsumer { return .consumer(policy.perConsumer) }
        if let domain = consumer.domain, byDomain[domain, default: 0] >= policy.perDomain {
            return .domain(domain, policy.perDomain)
        }
        byRole[consumer.role, default: 0] += 1
        byConsumer[consumer.jid, default: 0] += 1
        if let domain = consumer.domain { byDomain[domain, default: 0] += 1 }
        return nil
    }

    /// Gives back one share `consumer` took.
    package mutating func release(_ consumer: Consumer) {
        Self.decrement(&byRole, consumer.role)
        Self.decrement(&byConsumer, consumer.jid)
        if let domain = consumer.domain { Self.decrement(&byDomain, domain) }
    }

    /// What `consumer` holds.
    package func held(by consumer: Consumer) -> Int { byConsumer[consumer.jid, default: 0] }

    /// What all consumers of `role` hold.
    package func held(by role: Role) -> Int { byRole[role, default: 0] }

    private static func decrement<Key: Hashable>(_ table: inout [Key: Int], _ key: Key) {
        guard let count = table[key] else { return }
        table[key] = count > 1 ? count - 1 : nil
    }
}
