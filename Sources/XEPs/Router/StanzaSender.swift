package import Session
package import XMLStream

/// Where the router and the handlers send their stanzas: the session in the agent, a recorder
/// in tests (as `PublishTransport` is for the publisher), so that every reply and refusal can be
/// checked without a server.
package protocol StanzaSender: Sendable {
    /// Sends a stanza if online; returns false when nothing was sent. `tag` comes back in the
    /// session's XEP-0198 events.
    @discardableResult
    func send(_ stanza: XMLElement, tag: StanzaTag?) async -> Bool
    /// Waits until the link has room for bulk data, a readout's next page; false when offline
    /// (see `XMPPSession.waitForBulkRoom`). By default there is always room.
    func waitForBulkRoom() async -> Bool
}

extension StanzaSender {
    package func waitForBulkRoom() async -> Bool { true }

    /// Sends a stanza that nobody tracks.
    @discardableResult
    package func send(_ stanza: XMLElement) async -> Bool {
        await send(stanza, tag: nil)
    }
}

extension XMPPSession: StanzaSender {}
