import Support
package import XMLStream
import XMPPCore
package import Session

/// The one dispatch point from an incoming stanza to the feature that handles it, and the
/// one place where access is checked and unanswered requests get their error.
package struct StanzaRouter: Sendable {
    private let session: XMPPSession
    private let access: AccessPolicy
    private let iqHandlers: [String: any IQHandler]
    private let messageHandlers: [any MessageHandler]
    private let presenceHandlers: [any PresenceHandler]
    private let log = Logger("access")

    /// `iqHandlers` is the explicit list of features the agent wires in; each namespace may be
    /// claimed by one handler only.
    package init(
        session: XMPPSession, access: AccessPolicy, iqHandlers: [any IQHandler],
        messageHandlers: [any MessageHandler], presenceHandlers: [any PresenceHandler]
    ) {
        self.session = session
        self.access = access
        var table: [String: any IQHandler] = [:]
        for handler in iqHandlers {
            for namespace in handler.payloadNamespaces {
                precondition(table[namespace] == nil, "two handlers claim \(namespace)")
                table[namespace] = handler
            }
        }
        self.iqHandlers = table
        self.messageHandlers = messageHandlers
        self.presenceHandlers = presenceHandlers
    }

    package func route(_ stanza: XMLElement) async {
        // No `from` means our own server, speaking for our account (RFC 6120 §8.1.2.1).
        guard let from = stanza.from ?? (stanza.attribute("from") == nil ? access.accountJID.domainJID : nil) else { return }
        let role = access.role(of: from)
        switch stanza.name {
        case "iq": await routeIQ(stanza, from: from, role: role)
        case "message": await routeMessage(stanza, from: from, role: role)
        case "presence":
            for handler in presenceHandlers { await handler.handle(stanza, from: from, role: role) }
        default: break
        }
    }

    private func routeIQ(_ iq: XMLElement, from: JID, role: Role) async {
        guard let type = iq.stanzaType, type == "get" || type == "set" else { return }
        guard let payload = iq.payload, let namespace = payload.namespace, let handler = iqHandlers[namespace] else {
            await session.send(iq.errorReply(StanzaError(.serviceUnavailable)))
            return
        }
        let required = handler.requiredRole(for: iq)
        let effective = isOwnServer(from) ? Role.operator : role
        guard effective >= required else {
            log.info("refused \(type) \(payload.name) (\(namespace)) from \(from.bare): \(role) lacks \(required) rights")
            await session.send(iq.errorReply(StanzaError(.forbidden)))
            return
        }
        let reply = await handler.handle(iq, from: from, role: effective)
        await session.send(reply)
    }

    private func routeMessage(_ message: XMLElement, from: JID, role: Role) async {
        guard message.stanzaType != "error" else { return }
        for handler in messageHandlers where await handler.handle(message, from: from, role: role) {
            return
        }
    }

    /// Roster pushes and server queries come from our own server or account.
    private func isOwnServer(_ from: JID) -> Bool {
        from.local == nil && from.resource == nil && from.domain == access.accountDomain
    }
}

extension AccessPolicy {
    /// The domain of the device's own account.
    package var accountDomain: String { accountJID.domain }
}
