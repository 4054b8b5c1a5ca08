import Session
import TestSupport
import XMLStream
@testable import XEPs

/// A `StanzaSender` that keeps what the router and handlers send, in order, so tests check
/// every reply and refusal without a server. `online = false` refuses every send, as the
/// session does while offline.
actor RecordingSender: StanzaSender {
    private(set) var stanzas: [XMLElement] = []
    private(set) var tags: [StanzaTag?] = []
    var online = true

    func send(_ stanza: XMLElement, tag: StanzaTag?) -> Bool {
        guard online else { return false }
        stanzas.append(stanza)
        tags.append(tag)
        return true
    }

    func set(online: Bool) { self.online = online }

    /// Forgets what was sent so far.
    func clear() {
        stanzas.removeAll()
        tags.removeAll()
    }

    /// Waits until at least `count` stanzas were sent; returns them all.
    func wait(for count: Int) async -> [XMLElement] {
        _ = await eventually { stanzas.count >= count }
        return stanzas
    }
}
