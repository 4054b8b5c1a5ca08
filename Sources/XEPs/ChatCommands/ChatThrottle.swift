import XMPPCore

/// Decides whether a chat reply may go out, so that the agent never loops with another bot and
/// never becomes an amplifier. A pure value: time comes in as an argument (monotonic).
///
/// - Unknown input gets a hint, but after `hintStreak` hints in a row (no valid command between
///   them) the correspondent is muted: two bots telling each other "unknown command" stop there.
/// - Every correspondent has a bucket of `burst` replies that refills one per `refill`; when it
///   runs dry the correspondent is muted. A muted correspondent stays muted until it has been
///   quiet for `quiet`: each message during the mute extends it, so a loop dies out.
/// - At most `capacity` correspondents are remembered; the least recently seen is forgotten.
package struct ChatThrottle: Sendable {
    /// The limits; the defaults suit a person typing.
    package struct Policy: Sendable, Hashable {
        package var burst = 10
        package var refill: Duration = .seconds(3)
        package var hintStreak = 5
        package var quiet: Duration = .seconds(60)
        package var capacity = 256

        package init() {}
    }

    enum Reply: Sendable, Hashable {
        case answer, hint
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
        var peer = correspondents[jid] ?? Correspondent(tokens: Double(policy.burst), updated: now, lastSeen: now)
        peer.lastSeen = now
        defer { remember(jid, peer) }
        if let until = peer.mutedUntil, now < until {
            peer.mutedUntil = now + policy.quiet
            return false
        }
        peer.mutedUntil = nil
        peer.tokens = min(Double(policy.burst), peer.tokens + (now - peer.updated) / policy.refill)
        peer.updated = now
        switch reply {
        case .hint:
            peer.hints += 1
            if peer.hints > policy.hintStreak {
                peer.hints = 0
                peer.mutedUntil = now + policy.quiet
                return false
            }
        case .answer:
            peer.hints = 0
        }
        guard peer.tokens >= 1 else {
            peer.mutedUntil = now + policy.quiet
            return false
        }
        peer.tokens -= 1
        return true
    }

    private mutating func remember(_ jid: JID, _ peer: Correspondent) {
        correspondents[jid] = peer
        guard correspondents.count > policy.capacity,
            let oldest = correspondents.min(by: { $0.value.lastSeen < $1.value.lastSeen })?.key
        else { return }
        correspondents[oldest] = nil
    }
}
