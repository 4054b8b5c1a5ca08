package import Support
package import XMLStream
package import XMPPCore

/// The device's seat in its fleet room (`[fleet] room`): joins with the same show, status line
/// and caps as its own presence and keeps the room up to date, and takes chat commands
/// through the room: private messages, and group messages that start with its nick
/// (`sensor-7: status`), answered in the room. Whether someone may is judged by their real
/// JID, which only a room that shows real JIDs tells; in a room that hides them every command
/// gets a clear refusal. Commands go to the `StanzaDispatcher` as the real JID's requests: the
/// same budget and lane as what that account sends the device directly. The life of the seat
/// (joins, nick conflicts, kicks, bans, a destroyed room) is `RoomState`.
package actor RoomService {
    /// What became of a stanza.
    package enum Outcome: Sendable {
        /// Not from the room (or an IQ through it): the router's.
        case notMine
        /// Taken: a presence, or a message that is no command.
        case taken
        /// A command, to be dispatched as its sender's request.
        case request(StanzaDispatcher.RelayedRequest)
    }

    private let sender: any StanzaSender
    private var state: RoomState
    private let password: String?
    private let access: AccessPolicy
    private let chat: ChatCommandHandler
    private let refusals: ReplyThrottle
    private let clock: any AgentClock
    /// The device's presence now, for a join.
    private let currentPresence: @Sendable () async -> XMLElement
    private var occupants = RoomOccupants()
    private var timer: Task<Void, Never>?
    private let log = Logger("room")

    package init(
        sender: any StanzaSender, settings: RoomState.Settings, password: String?, access: AccessPolicy, chat: ChatCommandHandler,
        currentPresence: @escaping @Sendable () async -> XMLElement, refusals: ReplyThrottle = ReplyThrottle(),
        clock: any AgentClock = SystemClock()
    ) {
        self.sender = sender
        state = RoomState(settings: settings)
        self.password = password
        self.access = access
        self.chat = chat
        self.refusals = refusals
        self.clock = clock
        self.currentPresence = currentPresence
    }

    package var room: JID { state.settings.room }

    package func online(resumed: Bool) async {
        if !resumed { occupants.removeAll() }
        await perform(state.online(resumed: resumed, now: clock.now()))
    }

    package func offline() {
        state.offline()
    }

    /// The device's presence changed: the room sees the same.
    package func presenceChanged(_ presence: XMLElement) async {
        guard state.isJoined, let occupant = state.occupantJID else { return }
        await sender.send(MUCXML.update(presence, occupant: occupant))
    }

    /// Takes every presence and message from the room; anything else is left to the router.
    package func handle(_ stanza: XMLElement) async -> Outcome {
        guard let from = stanza.from, from.bare == room else { return .notMine }
        switch stanza.name {
        case "presence":
            await handlePresence(stanza, from: from)
            return .taken
        case "message":
            return handleMessage(stanza, from: from).map(Outcome.request) ?? .taken
        default:
            return .notMine  // IQs through the room go to the router, which judges the room JID
        }
    }

    private func handlePresence(_ stanza: XMLElement, from: JID) async {
        if stanza.stanzaType == "error" {
            let error = StanzaError(stanza: stanza) ?? StanzaError(.undefinedCondition)
            await perform(state.joinFailed(error, now: clock.now()))
            return
        }
        guard let presence = OccupantPresence(stanza) else { return }
        occupants.apply(presence)
        if presence.isSelf || (presence.nick == state.nick && !presence.available) {
            await perform(state.selfPresence(presence, now: clock.now()))
        }
    }

    private func handleMessage(_ message: XMLElement, from: JID) -> StanzaDispatcher.RelayedRequest? {
        guard state.isJoined, let nick = from.resource, nick != state.nick,
            let body = message.child("body", namespace: Namespace.client)?.text,
            message.child("delay", namespace: Namespace.delay) == nil  // history: said before we joined
        else { return nil }
        switch message.stanzaType {
        case "chat":
            return request(body, from: from, nick: nick, group: false)
        case "groupchat":
            guard let command = Self.addressed(body, to: state.nick) else { return nil }
            return request(command, from: from, nick: nick, group: true)
        default:
            return nil
        }
    }

    /// The command as a request of the occupant's real JID (who it is now, as the room said);
    /// where the room hides it, a stranger's request from the occupant.
    private func request(_ text: String, from occupant: JID, nick: String, group: Bool) -> StanzaDispatcher.RelayedRequest {
        let real = occupants.realJID(of: nick)
        return StanzaDispatcher.RelayedRequest(
            from: real ?? occupant, role: real.map(access.role) ?? .stranger, what: "room message",
            handle: { await self.command(text, from: occupant, real: real, nick: nick, group: group) },
            refuse: { answer in await self.reply(answer, to: nick, group: group) })
    }

    /// `sensor-7: status` or `sensor-7, status` → `status`; nil when not addressed to `nick`.
    static func addressed(_ body: String, to nick: String) -> String? {
        guard body.hasPrefix(nick) else { return nil }
        let rest = body.dropFirst(nick.count)
        guard let mark = rest.first, mark == ":" || mark == "," else { return nil }
        let command = rest.dropFirst().drop { $0 == " " }
        return command.isEmpty ? nil : String(command)
    }

    /// Carries out a chat command from the occupant `nick`, judged by its real JID.
    private func command(_ text: String, from occupant: JID, real: JID?, nick: String, group: Bool) async {
        guard let real else {
            log.info("refused a command from \(occupant): the room does not show real JIDs, so who sent it cannot be told")
            if refusals.allow(occupant) {
                await reply("not authorized: this room hides your real JID from me, so I cannot tell whether you may", to: nick, group: group)
            }
            return
        }
        let role = access.role(of: real)
        guard role >= .viewer else {
            AccessLog.refused("room command", from: real, role: role, needed: .viewer)
            if refusals.allow(real) { await reply(StanzaRouter.notAuthorizedText, to: nick, group: group) }
            return
        }
        var request = XMLElement("message", namespace: Namespace.client, attributes: ["type": "chat", "from": occupant.description])
        request.append(XMLElement("body", text: text))
        if case .reply(let answer) = await chat.verdict(on: request, from: real, role: role),
            let text = answer.child("body", namespace: Namespace.client)?.text
        {
            await reply(text, to: nick, group: group)
        }
    }

    /// A private answer to room/nick, or `nick: text` in the room.
    private func reply(_ text: String, to nick: String, group: Bool) async {
        let to = group ? room : ((try? room.with(resource: nick)) ?? room)
        let message = XMLElement("message", namespace: Namespace.client, attributes: ["type": group ? "groupchat" : "chat", "to": to.description]) {
            XMLElement("body", text: group ? "\(nick): \(text)" : text)
            if !group { XMLElement("x", namespace: MUCXML.user) }
        }
        await sender.send(message)
    }

    private func perform(_ actions: [RoomState.Action]) async {
        for action in actions {
            switch action {
            case .join(let occupant):
                await sender.send(MUCXML.join(await currentPresence(), occupant: occupant, password: password))
            case .configureInstantRoom:
                log.info("created \(room): accepting its default configuration")
                // Nothing waits for the answer: the result (or error) reaches the router, which drops it.
                var request = MUCXML.instantRoom(room)
                request.setAttribute("id", "kinglet-instant-room")
                await sender.send(request)
            case .wake(let at):
                schedule(at)
            case .logInfo(let text): log.info(text)
            case .logWarning(let text): log.warning(text)
            case .logError(let text): log.error(text)
            }
        }
    }

    private func schedule(_ at: Duration) {
        timer?.cancel()
        timer = Task { [clock] in
            do { try await clock.sleep(until: at) } catch { return }
            await self.timerFired()
        }
    }

    private func timerFired() async {
        await perform(state.timerFired(now: clock.now()))
    }

    package func stop() {
        timer?.cancel()
        timer = nil
    }
}
