import XMPPCore

/// Decides whether a chat reply may go out, so that the agent never loops with another bot and
/// never becomes an amplifier, while a person pasting a handful of commands is answered. A pure
/// value: time comes in as an argument (monotonic).
///
/// - Every correspondent has a bucket of `burst` replies that refills one per `refill`; when it
///   runs dry the correspondent is muted for `quiet`, and told so once, with when it ends.
/// - Unknown input gets a hint, but after `hintStreak` hints in a row (no valid command between
///   them) the correspondent is muted the same way: two bots telling each other "unknown
///   command" stop there.
/// - A mute ends when its time is up; messages during it do not lengthen it (the handler still
///   answers a `set`, saying it was not applied, so that none is dropped without a word).
/// - At most `capacity` correspondents are remembered; the least recently seen is forgotten.
package struct ChatThrottle: Sendable {
    /// The limits; the defaults suit a person typing (`[limits] chat`).
    package struct Policy: Sendable, Hashable {
        package var burst = 10
        package var refill: Duration = .seconds(3)
        package var hintStreak = 5
        package var quiet: Duration = .seconds(20)
        package var capacity = 256

        package init() {}
    }

    enum Reply: Sendable, Hashable {
        case answer, hint
    }

    /// What to do with one message.
    enum Decision: Sendable, Hashable {
        case answer
        /// The correspondent is muted from now for `wait`: say so, this once.
        case notice(wait: Duration)
        /// Muted for another `wait`: no reply (but a `set` is told it was not applied).
        case muted(wait: Duration)
    }

    private struct Correspondent: Sendable {
        var tokens: Double
        /// When the bucket was last refilled.
        var updated: Duration
        /// When a message last came, answered or not: what eviction goes by.
        var lastSeen: Duration
        var mutedUntil: Duration?
        var hints = 0
    }

    let policy: Policy
    private var correspondents: [JID: Correspondent] = [:]

    init(policy: Policy = Policy()) {
        self.policy = policy
    }

    var remembered: Int { correspondents.count }

    /// Whether a reply of this kind may go to `jid` (a bare JID) now; records it if so.
    mutating func allows(_ reply: Reply, to jid: JID, at now: Duration) -> Bool {
        decide(reply, to: jid, at: now) == .answer
    }

    /// What to do with a message from `jid` (a bare JID) that would get a reply of this kind.
    mutating func decide(_ reply: Reply, to jid: JID, at now: Duration) -> Decision {
        var peer = correspondents[jid] ?? Correspondent(tokens: Double(policy.burst), updated: now, lastSeen: now)
        peer.lastSeen = now
        defer { remember(jid, peer) }
        if let until = peer.mutedUntil, now < until { return .muted(wait: until - now) }
        peer.mutedUntil = nil
        peer.tokens = min(Double(policy.burst), peer.tokens + (now - peer.updated) / policy.refill)
        peer.updated = now
        switch reply {
        case .hint:
            peer.hints += 1
            if peer.hints > policy.hintStreak {
                peer.hints = 0
                return mute(&peer, at: now)
            }
        case .answer:
            peer.hints = 0
        }
        guard peer.tokens >= 1 else { return mute(&peer, at: now) }
        peer.tokens -= 1
        return .answer
    }

    private func mute(_ peer: inout Correspondent, at now: Duration) -> Decision {
        peer.mutedUntil = now + policy.quiet
        return .notice(wait: policy.quiet)
    }

    private mutating func remember(_ jid: JID, _ peer: Correspondent) {
        correspondents[jid] = peer
        guard correspondents.count > policy.capacity,
            let oldest = correspondents.min(by: { $0.value.lastSeen < $1.value.lastSeen })?.key
        else { return }
        correspondents[oldest] = nil
    }
}
