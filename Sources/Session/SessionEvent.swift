package import Transport
package import XMLStream
package import XMPPCore

/// What the session tells the agent, in order, through `XMPPSession.events`.
package enum SessionEvent: Sendable {
    /// Negotiation finished. `resumed`: an XEP-0198 resumption, so presence, roster and
    /// subscriptions are still in place and must not be redone.
    case online(JID, resumed: Bool)
    /// The connection is gone; the session will try again unless it was stopped.
    case offline(reason: String)
    /// A stanza for the agent: every message and presence, and every IQ that is not a response
    /// to `request` and not a server ping. It counts against `[limits] input_stanzas` until the
    /// ticket is gone (the agent drops it once the stanza is dispatched).
    case stanza(XMLElement, InboundTicket)
    /// XEP-0198: the server has taken responsibility for the stanzas sent with these tags.
    case acknowledged([StanzaTag])
    /// These tagged stanzas may not have reached the server, and the session was not resumed:
    /// whoever sent them should send them again.
    case unacknowledged([StanzaTag])
}

/// A label on an outgoing stanza, handed back when the server acknowledges it (the publisher
/// uses the outbox batch's last sequence number, so an ack says how far the outbox is done).
package struct StanzaTag: Sendable, Hashable {
    package let value: UInt64
    package init(_ value: UInt64) { self.value = value }
}

/// Why an IQ request got no result.
package enum RequestError: Error, Sendable, Equatable, CustomStringConvertible {
    case error(StanzaError)
    case timedOut
    case offline

    package var description: String {
        switch self {
        case .error(let error): "error reply: \(error)"
        case .timedOut: "no response in time"
        case .offline: "not connected"
        }
    }
}
