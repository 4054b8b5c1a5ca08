package import XMLStream
import XMPPCore
import Session

/// The one dispatch point from an incoming stanza to the feature that handles it, and the
/// one place where access is checked and unanswered requests get their error.
package struct StanzaRouter: Sendable {
    private let sender: any StanzaSender
    private let access: AccessPolicy
    private let iqHandlers: [String: any IQHandler]
    private let messageHandlers: [any MessageHandler]
    private let presenceHandlers: [any PresenceHandler]
    private let activity: ActivityClock?
    private let replies: ReplyThrottle
    /// Where refusals are logged, once per sender and minute.
    private let refusals: RefusalLogger

    /// `iqHandlers` is the explicit list of features the agent wires in; each namespace may be
    /// claimed by one handler only. `activity` learns of every command a contact gives (an IQ
    /// `set` or a message a handler took), for XEP-0012.
    package init(
        sender: any StanzaSender, access: AccessPolicy, iqHandlers: [any IQHandler],
        messageHandlers: [any MessageHandler], presenceHandlers: [any PresenceHandler],
        activity: ActivityClock? = nil, replies: ReplyThrottle = ReplyThrottle(), refusals: RefusalLogger = RefusalLogger()
    ) {
        self.sender = sender
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
        self.activity = activity
        self.replies = replies
        self.refusals = refusals
    }

    /// Who sent `stanza`: its `from`, or our own server when it has none (RFC 6120 §8.1.2.1);
    /// nil for a `from` that is not a JID.
    func sender(of stanza: XMLElement) -> JID? {
        stanza.from ?? (stanza.attribute("from") == nil ? access.accountJID.domainJID : nil)
    }

    package func route(_ stanza: XMLElement) async {
        guard let from = sender(of: stanza) else { return }
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
            await sender.send(iq.errorReply(StanzaError(.serviceUnavailable)))
            return
        }
        let required = handler.requiredRole(for: iq)
        let effective = isOwnServer(from) ? Role.operator : role
        let what = "\(type) \(payload.name) (\(namespace))"
        guard effective >= required else {
            refusals.refused(what, from: from, role: role, needed: required)
            await sender.send(iq.errorReply(StanzaError(.forbidden)))
            return
        }
        AccessLog.allowed(what, from: from, role: effective)
        let reply = await handler.handle(iq, from: from, role: effective)
        await sender.send(reply)
        if type == "set", reply.stanzaType == "result", isContact(from) { activity?.record() }
        await handler.afterReply(reply, to: iq, from: from, role: effective)
    }

    /// Strangers' messages reach no handler. A chat or normal message with a body gets one
    /// short "not authorized" (throttled per sender); anything else is only logged.
    private func routeMessage(_ message: XMLElement, from: JID, role: Role) async {
        guard message.stanzaType != "error" else { return }
        if role == .stranger, !isOwnServer(from) {
            refusals.refused("message", from: from, role: role, needed: .viewer)
            let type = message.stanzaType ?? "normal"
            if (type == "chat" || type == "normal"), message.child("body") != nil, replies.allow(from) {
                await sender.send(Self.notAuthorized(replyingTo: message, type: type))
            }
            return
        }
        for handler in messageHandlers where await handler.handle(message, from: from, role: role) {
            if isContact(from) { activity?.record() }
            return
        }
    }

    /// The answer to a stranger's chat: the same words whichever handler would have taken it,
    /// and what to do about it.
    static let notAuthorizedText = "not authorized: ask an operator of this device to list you in its [access] viewers or operators"

    static func notAuthorized(replyingTo message: XMLElement, type: String) -> XMLElement {
        var reply = XMLElement("message", namespace: Namespace.client, attributes: ["type": type]) {
            XMLElement("body", text: notAuthorizedText)
        }
        if let to = message.attribute("from") { reply.setAttribute("to", to) }
        if let thread = message.child("thread") { reply.append(thread) }
        return reply
    }

    /// A person's or service's client (a full JID), not our server or our bare account
    /// speaking for itself (roster pushes).
    private func isContact(_ from: JID) -> Bool {
        from.resource != nil
    }

    /// Roster pushes and server queries come from our own server or account.
    func isOwnServer(_ from: JID) -> Bool {
        from.local == nil && from.resource == nil && from.domain == access.accountDomain
    }
}

extension AccessPolicy {
    /// The domain of the device's own account.
    package var accountDomain: String { accountJID.domain }
}
