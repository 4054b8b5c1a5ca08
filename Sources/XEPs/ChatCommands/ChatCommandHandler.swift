import Support
import Synchronization
package import XMLStream
package import XMPPCore

/// The chat command language (`help`, `status`, `read [NAME]`, `set NAME VALUE`) in `chat` and
/// `normal` messages with a body. Viewers may read, operators may also set. Strangers never get
/// here: the router answers them "not authorized" itself (once per sender and window), the
/// same words whichever handler would have taken the message.
///
/// Never answered, so that the agent never loops with another bot or a server: messages of
/// type error, groupchat or headline; messages without a body (chat states, receipts); messages
/// from servers and components (no local part) and from the agent's own full JID. `ChatThrottle`
/// bounds what is left. List this handler after any handler that consumes messages with a
/// payload (XEP-0325 set by message): it claims every chat message with a body.
package struct ChatCommandHandler: MessageHandler {
    /// What became of a message.
    package enum Verdict: Sendable, Hashable {
        /// Not a chat command: the next handler may take it.
        case notMine
        /// A chat command that gets no reply (throttled, empty).
        case silent
        case reply(XMLElement)
    }

    private let responder: ChatResponder
    private let throttle: ThrottleState
    private let clock: any AgentClock
    private let ownJID: @Sendable () async -> JID?
    private let sender: any StanzaSender
    private let log = Logger("chat")

    /// `sender` puts a reply on the wire; `ownJID` is the device's full JID, whose own messages
    /// are never answered.
    package init(
        services: DeviceServices, policy: ChatThrottle.Policy = ChatThrottle.Policy(),
        ownJID: @escaping @Sendable () async -> JID?, sender: any StanzaSender
    ) {
        responder = ChatResponder(services: services)
        throttle = ThrottleState(ChatThrottle(policy: policy))
        clock = services.clock
        self.ownJID = ownJID
        self.sender = sender
    }

    package func handle(_ message: XMLElement, from: JID, role: Role) async -> Bool {
        switch await verdict(on: message, from: from, role: role) {
        case .notMine: return false
        case .silent:
            log.debug("no reply to a chat message from \(from) (throttled or empty)")
            return true
        case .reply(let reply):
            await sender.send(reply)
            return true
        }
    }

    /// Decides what to do with `message` without sending anything.
    package func verdict(on message: XMLElement, from: JID, role: Role) async -> Verdict {
        let type = message.stanzaType ?? "normal"
        guard type == "chat" || type == "normal", let body = message.child("body", namespace: Namespace.client)?.text,
            from.local != nil
        else { return .notMine }
        if let own = await ownJID(), own == from { return .notMine }
        guard role >= .viewer else { return .notMine }  // the router has answered already
        let firstLine = body.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: true).first.map(String.init) ?? ""
        let command = ChatCommand(parsing: firstLine, controls: responder.services.controls.map(\.name))
        guard command != .empty else { return .silent }
        // Before anything runs: a muted correspondent's command is not carried out either, but
        // is told so once, and a `set` always gets an answer.
        switch throttle.decide(command.isUnknown ? .hint : .answer, to: from.bare, at: clock.now()) {
        case .answer: break
        case .notice(let wait):
            log.warning("too many messages from \(from.bare): not answering for \(HumanText.duration(wait))")
            return .reply(Self.reply(to: message, type: type, text: Self.throttled(command, wait: wait)))
        case .muted(let wait):
            guard case .set = command else { return .silent }
            return .reply(Self.reply(to: message, type: type, text: Self.throttled(command, wait: wait)))
        }
        if case .set = command, role < .operator { AccessLog.refused("chat set", from: from, role: role, needed: .operator) }
        let sentAt = message.child("delay", namespace: Namespace.delay)?.attribute("stamp")
        let text = await responder.reply(to: command, from: from, role: role, sentAt: sentAt)
        return .reply(Self.reply(to: message, type: type, text: text))
    }

    /// What a throttled correspondent is told: when it will be answered again, and for a `set`
    /// that it was not applied.
    static func throttled(_ command: ChatCommand, wait: Duration) -> String {
        let seconds = wait.secondsToWait
        if case .set = command { return "not applied: too many messages; send it again in \(seconds) s" }
        return StanzaDispatcher.tooManyMessages(wait: wait)
    }

    /// A reply of the same type, to the sender, in the same thread.
    static func reply(to message: XMLElement, type: String, text: String) -> XMLElement {
        var reply = XMLElement("message", namespace: Namespace.client, attributes: ["type": type])
        if let from = message.attribute("from") { reply.setAttribute("to", from) }
        reply.append(XMLElement("body", text: text))
        if let thread = message.child("thread", namespace: Namespace.client) { reply.append(thread) }
        return reply
    }
}

/// The throttle behind a lock, shared by every copy of the handler.
private final class ThrottleState: Sendable {
    private let state: Mutex<ChatThrottle>

    init(_ throttle: ChatThrottle) {
        state = Mutex(throttle)
    }

    func decide(_ reply: ChatThrottle.Reply, to jid: JID, at now: Duration) -> ChatThrottle.Decision {
        state.withLock { $0.decide(reply, to: jid, at: now) }
    }
}
