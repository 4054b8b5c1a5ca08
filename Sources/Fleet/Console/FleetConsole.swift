import Session
import Support
import XEPs
import XMLStream
import XMPPCore

/// The other side of the protocol: an operator's or a service's account, logged in with the
/// same session code as the agent, that discovers devices by presence and caps (roster
/// contacts and fleet-room occupants), reads, sets and exports them.
///
/// One actor owns the session's events: presences feed the `DeviceDirectory`, caps are
/// resolved by disco#info once per `ver` (at most `capsInFlight` at once, never one device
/// after another), readout messages feed the `ReadoutCollector`, PEP items go to the listener.
actor FleetConsole {
    let session: XMPPSession
    let configuration: ConsoleConfiguration
    /// `+notify` in our caps: the server sends every device's published readings (watch, export).
    let notify: Bool
    var directory = DeviceDirectory()
    var room: RoomState?
    var occupants = RoomOccupants()
    var readouts = ReadoutCollector()
    var readoutWaiters: [String: CheckedContinuation<ReadoutResult, Never>] = [:]
    /// Readouts that finished before their caller started waiting.
    var finishedReadouts: [String: ReadoutResult] = [:]
    var nextSeqnr: UInt64 = 0
    /// Roster contacts whose presence we receive, and those heard from since the login.
    var contacts: Set<JID> = []
    var heard: Set<JID> = []
    var rosterLoaded = false
    /// Devices whose node this session subscribed to (`export`).
    var subscribed: Set<JID> = []
    var lastPresence: Duration = .zero
    var capsQueue: [(ver: String, jid: JID, node: String)] = []
    var capsInFlight = 0
    let capsLimit = 64
    /// Told of every change, for `watch` and `export`.
    var listener: (@Sendable (ConsoleEvent) async -> Void)?
    var eventLoop: Task<Void, Never>?
    var sessionTask: Task<Void, Never>?
    let clock = SystemClock()
    let log = Logger("fleet")

    init(configuration: ConsoleConfiguration, notify: Bool) throws(ConsoleError) {
        self.configuration = configuration
        self.notify = notify
        do {
            session = try XMPPSession(configuration: configuration.xmpp.sessionConfiguration())
        } catch {
            throw .tls("\(error)")
        }
        if let path = configuration.fleet.cache { directory.remember(KnownDevices(path: path).load()) }
        if let roomJID = configuration.fleet.room {
            let nick = configuration.fleet.nick ?? "\(configuration.xmpp.jid.local ?? "fleet")-console"
            room = RoomState(settings: RoomState.Settings(room: roomJID, nick: nick))
        }
    }

    /// Connects and starts handling events; `listener` hears of every change.
    func start(listener: (@Sendable (ConsoleEvent) async -> Void)? = nil) {
        self.listener = listener
        let session = session
        sessionTask = Task { await session.run() }
        eventLoop = Task { [weak self] in
            for await event in session.events {
                await self?.handle(event)
            }
        }
    }

    func stop() async {
        room = nil  // leaving is ours: the room's goodbye is no reason to come back
        await session.stop(goodbye: XMLElement("presence", namespace: Namespace.client, attributes: ["type": "unavailable"]))
        await sessionTask?.value
        eventLoop?.cancel()
    }

    /// Waits until online, at most `timeout`; false if that did not happen.
    func waitOnline(timeout: Duration) async -> Bool {
        await waitUntil(timeout: timeout) { await $0.session.isOnline }
    }

    /// Waits until discovery has settled: online, the roster and the room answered, every
    /// subscribed contact heard from or quiet for a while, and every caps `ver` resolved.
    func discover(timeout: Duration, quiet: Duration = .milliseconds(800)) async -> [DeviceRecord] {
        _ = await waitUntil(timeout: timeout) { console in await console.settled(quiet: quiet) }
        let devices = directory.devices
        if let path = configuration.fleet.cache, !KnownDevices(path: path).save(devices) {
            log.warning("cannot write the device cache \(path)")
        }
        return devices
    }

    private func settled(quiet: Duration) async -> Bool {
        guard await session.isOnline, rosterLoaded, room.map(\.isJoined) ?? true else { return false }
        let everyoneHeard = contacts.isSubset(of: heard) || clock.now() - lastPresence >= quiet
        return everyoneHeard && capsQueue.isEmpty && capsInFlight == 0
    }

    /// Polls `condition` every 20 ms until it holds or `timeout` passes.
    func waitUntil(timeout: Duration, _ condition: (FleetConsole) async -> Bool) async -> Bool {
        let deadline = clock.now() + timeout
        while true {
            if await condition(self) { return true }
            if clock.now() >= deadline { return false }
            try? await clock.sleep(until: min(deadline, clock.now() + .milliseconds(20)))
        }
    }

    var devices: [DeviceRecord] { directory.devices }

    // MARK: Events

    private func handle(_ event: SessionEvent) async {
        switch event {
        case .online(_, let resumed):
            if !resumed { subscribed.removeAll(); await cameOnline() } else { await roomEvent { $0.online(resumed: true, now: $1) } }
            await listener?(.online(resumed: resumed))
        case .offline(let reason):
            room?.offline()
            await listener?(.offline(reason))
        case .stanza(let stanza, _):
            await route(stanza)
        case .acknowledged, .unacknowledged:
            break
        }
    }

    private func cameOnline() async {
        heard = []
        lastPresence = clock.now()
        occupants.removeAll()
        await session.send(ownPresence())
        await loadRoster()
        await roomEvent { $0.online(resumed: false, now: $1) }
    }

    private func loadRoster() async {
        let request = XMLElement("iq", namespace: Namespace.client, attributes: ["type": "get"]) {
            XMLElement("query", namespace: Namespace.roster)
        }
        guard case .success(let reply) = await session.request(request) else {
            log.warning("the roster could not be fetched: devices are found through the room only")
            rosterLoaded = true
            return
        }
        let items = reply.child("query", namespace: Namespace.roster)?.children("item", namespace: Namespace.roster) ?? []
        contacts = Set(items.compactMap(Roster.Item.init).filter(\.subscription.weReceiveTheirs).map(\.jid))
        rosterLoaded = true
        // The quiet period counts from here: a server answering a large roster slowly must not
        // make discovery end before the contacts' presences (sent after it) could arrive.
        lastPresence = clock.now()
    }

    private func route(_ stanza: XMLElement) async {
        switch stanza.name {
        case "presence": await presence(stanza)
        case "message": await message(stanza)
        case "iq": await answer(stanza)
        default: break
        }
    }

    private func presence(_ stanza: XMLElement) async {
        guard let from = stanza.from else { return }
        if let roomJID = configuration.fleet.room, from.bare == roomJID {
            if room != nil { await roomPresence(stanza, from: from) }
            return
        }
        guard stanza.stanzaType == nil || stanza.stanzaType == "unavailable" else { return }
        log.debug("presence of \(from): \(stanza.stanzaType ?? "available"), caps \(stanza.child("c", namespace: EntityCapabilities.namespace)?.attribute("ver") ?? "none")")
        heard.insert(from.bare)
        lastPresence = clock.now()
        directory.apply(stanza, from: from, at: clock.wallTime())
        await changed(from)
    }

    private func roomPresence(_ stanza: XMLElement, from: JID) async {
        if stanza.stanzaType == "error" {
            let error = StanzaError(stanza: stanza) ?? StanzaError(.undefinedCondition)
            await roomEvent { $0.joinFailed(error, now: $1) }
            return
        }
        guard let occupant = OccupantPresence(stanza) else { return }
        occupants.apply(occupant)
        if occupant.isSelf {
            await roomEvent { $0.selfPresence(occupant, now: $1) }
            return
        }
        lastPresence = clock.now()
        // A contact's own presence says more than its seat: the room only adds the occupants.
        guard let real = occupant.realJID, real.resource != nil, !contacts.contains(real.bare) else { return }
        directory.apply(stanza, from: real, nick: occupant.nick, at: clock.wallTime())
        await changed(real)
    }

    /// A presence changed: resolve new caps, tell the listener.
    private func changed(_ jid: JID) async {
        capsQueue += directory.takeUnresolved()
        await resolveCaps()
        if let record = directory.devices.first(where: { $0.jid == jid }) { await listener?(.device(record)) }
    }

    private func message(_ stanza: XMLElement) async {
        if let (seqnr, result) = readouts.receive(stanza) {
            deliver(seqnr, result)
            return
        }
        if let owner = Self.nodeOwner(of: stanza, known: { contacts.contains($0) || subscribed.contains($0) }) {
            await published(ReadingPayload.items(in: stanza), from: owner)
        }
    }

    /// IQs to the console: disco#info (the server asks what our caps mean, for `+notify`);
    /// everything else `service-unavailable`. Results and errors are the session's.
    private func answer(_ iq: XMLElement) async {
        guard iq.stanzaType == "get" || iq.stanzaType == "set" else { return }
        if iq.stanzaType == "get", let query = iq.payload, query.name == "query", query.namespace == DiscoInfo.namespace {
            await session.send(iq.iqResult(discoInfo.element(node: query.attribute("node"))))
        } else {
            await session.send(iq.errorReply(StanzaError(.serviceUnavailable)))
        }
    }

    /// What the console is: a bot that reads sensor data (and wants it pushed, with `notify`).
    var discoInfo: DiscoInfo {
        var features = [DiscoInfo.namespace, EntityCapabilities.namespace]
        if notify { features.append(SensorDataXML.namespace + "+notify") }
        return DiscoInfo(identities: [DiscoIdentity(category: "client", type: "bot", name: "Kinglet fleet console")], features: features)
    }

    /// Available with priority -1 (messages to the operator's bare JID go to their own client,
    /// not to the console) and our caps.
    func ownPresence() -> XMLElement {
        XMLElement("presence", namespace: Namespace.client) {
            XMLElement("priority", text: "-1")
            EntityCapabilities(node: KingletVersion.capsNode, info: discoInfo).element
        }
    }

    func perform(_ actions: [RoomState.Action]) async {
        for action in actions {
            switch action {
            case .join(let occupant):
                await session.send(MUCXML.join(ownPresence(), occupant: occupant, password: configuration.fleet.password?.revealed))
            case .configureInstantRoom:
                if let room { await session.sendRequest(MUCXML.instantRoom(room.settings.room)) { _ in } }
            case .wake(let at):
                clock.after(at - clock.now()) { [weak self] in await self?.roomTimer() }
            case .logInfo(let text): log.info(text)
            case .logWarning(let text): log.warning(text)
            case .logError(let text): log.error(text)
            }
        }
    }

    private func roomTimer() async {
        await roomEvent { $0.timerFired(now: $1) }
    }

    /// Feeds an event to the room's state (when there is a room) and carries out its actions.
    private func roomEvent(_ event: (inout RoomState, Duration) -> [RoomState.Action]) async {
        guard var state = room else { return }
        let actions = event(&state, clock.now())
        room = state
        await perform(actions)
    }
}

/// What `watch` and `export` hear from the console.
enum ConsoleEvent: Sendable {
    case online(resumed: Bool)
    case offline(String)
    case device(DeviceRecord)
    case batch(device: JID, PublishedBatch)
}
