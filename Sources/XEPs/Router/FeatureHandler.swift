package import XMLStream
package import XMPPCore

/// A feature that answers IQ get/set requests of its namespaces. The router checks access
/// before calling it and answers everything no handler claims with `service-unavailable`.
package protocol IQHandler: Sendable {
    /// The namespaces of the IQ payloads this handler answers.
    var payloadNamespaces: Set<String> { get }
    /// The least role allowed to send this request (viewer to read, operator to control).
    func requiredRole(for iq: XMLElement) -> Role
    /// The reply: a result or an error stanza (the router never leaves an IQ unanswered).
    func handle(_ iq: XMLElement, from: JID, role: Role) async -> XMLElement
    /// The XEP-0030 features this handler stands for; by default its payload namespaces.
    var discoFeatures: [String] { get }
    /// Work that must follow `reply` on the wire, called once the router has sent it: XEP-0323
    /// data messages come after the `accepted` result. By default nothing.
    func afterReply(_ reply: XMLElement, to iq: XMLElement, from: JID, role: Role) async
}

extension IQHandler {
    package var discoFeatures: [String] { payloadNamespaces.sorted() }
    package func afterReply(_ reply: XMLElement, to iq: XMLElement, from: JID, role: Role) async {}
}

/// A feature that consumes messages: chat commands, XEP-0325 set-by-message.
package protocol MessageHandler: Sendable {
    /// Handles the message and returns true, or returns false to let the next handler try.
    func handle(_ message: XMLElement, from: JID, role: Role) async -> Bool
}

/// A feature that reacts to presence stanzas (subscriptions, presence of contacts).
package protocol PresenceHandler: Sendable {
    func handle(_ presence: XMLElement, from: JID, role: Role) async
}
