package import XMLStream

/// De-duplicates broadcast presence: a presence goes out only if it differs from the last one
/// sent in this session, caps included (a new `ver` is worth a broadcast, XEP-0115 §4).
package struct PresenceGate: Sendable {
    private var lastSent: XMLElement?

    package init() {}

    /// True when `presence` says something new. Marks it sent: the caller sends it now, and
    /// calls `unsent` if that failed, so two checks racing each other never send it twice.
    package mutating func admit(_ presence: XMLElement) -> Bool {
        guard presence != lastSent else { return false }
        lastSent = presence
        return true
    }

    /// The send of `presence` failed (offline): the next check tries again.
    package mutating func unsent(_ presence: XMLElement) {
        if lastSent == presence { lastSent = nil }
    }

    /// A new session (not a resumption): the server forgot our presence, send it again.
    package mutating func reset() {
        lastSent = nil
    }
}
