package import XMLStream
package import XMPPCore

/// XEP-0199: answers pings from contacts (the session answers the server's own pings).
package struct PingHandler: IQHandler {
    package init() {}

    package var payloadNamespaces: Set<String> { [Namespace.ping] }

    package func requiredRole(for iq: XMLElement) -> Role { .viewer }

    package func handle(_ iq: XMLElement, from: JID, role: Role) async -> XMLElement {
        iq.stanzaType == "get" ? iq.iqResult() : iq.errorReply(StanzaError(.badRequest))
    }
}
