package import Devices
package import Session
package import Store
package import Support
package import XMLStream
package import XMPPCore

/// The device's presence: sends the available presence after login, keeps its `<show/>` and
/// status line in step with health and backlog (looked at every `checkInterval`, sent only
/// when it changes), puts the XEP-0115 caps in every presence, and says goodbye with an
/// unavailable one.
///
/// At login it also fetches the roster, withdraws our presence from contacts that are no
/// longer operators or viewers (someone removed from `[access]` must stop seeing the device),
/// and enrolls the device with the listed accounts (`Enrollment`).
package actor PresenceService {
    private let session: XMPPSession
    private let configuration: PresenceConfiguration
    private let discoInfo: DeviceDiscoInfo
    private let device: Device
    private let store: ReadingStore
    private let roster: Roster
    private let access: AccessPolicy
    private let clock: any AgentClock
    private var gate = PresenceGate()
    private var enrollment: Enrollment
    /// Told of every presence broadcast, so the fleet room sees the same.
    private var mirror: (@Sendable (XMLElement) async -> Void)?
    private var watcher: Task<Void, Never>?
    private let log = Logger("presence")

    package init(
        session: XMPPSession, configuration: PresenceConfiguration, discoInfo: DeviceDiscoInfo, device: Device,
        store: ReadingStore, roster: Roster, access: AccessPolicy, clock: any AgentClock = SystemClock()
    ) {
        self.session = session
        self.configuration = configuration
        self.discoInfo = discoInfo
        self.device = device
        self.store = store
        self.roster = roster
        self.access = access
        self.clock = clock
        enrollment = Enrollment(accounts: access.listedAccounts)
    }

    /// Starts looking at health every `checkInterval`.
    package func start() {
        guard watcher == nil else { return }
        watcher = Task { [clock, configuration] in
            var next = clock.now()
            while !Task.isCancelled {
                next += configuration.checkInterval
                do { try await clock.sleep(until: next) } catch { return }
                await self.refresh()
            }
        }
    }

    /// `mirror` gets every broadcast presence from now on (the fleet room's seat).
    package func mirror(to mirror: @escaping @Sendable (XMLElement) async -> Void) {
        self.mirror = mirror
    }

    package func stop() {
        watcher?.cancel()
        watcher = nil
    }

    /// The session is online. After a resumption the server still holds our presence and
    /// roster: nothing is resent. Otherwise: presence first, then the roster, in the background.
    package func online(resumed: Bool) async {
        guard !resumed else { return }
        gate.reset()
        await refresh()
        Task { await self.reviewRoster() }
    }

    /// Sends the presence if it changed since the last one sent.
    package func refresh() async {
        guard await session.isOnline else { return }
        let presence = await currentPresence()
        guard gate.admit(presence) else {
            log.debug("health checked: presence unchanged")
            return
        }
        if await session.send(presence) {
            log.info("\(presence.child("show")?.text ?? "available"): \(presence.child("status")?.text ?? "")")
            await mirror?(presence)
        } else {
            gate.unsent(presence)
        }
    }

    /// Sends a directed presence (subscription answers) with the caps added.
    @discardableResult
    package func send(_ presence: XMLElement) async -> Bool {
        var stamped = presence
        stamped.append(await discoInfo.capabilities().element)
        return await session.send(stamped)
    }

    /// The unavailable presence for the shutdown, with the caps like every other.
    package func goodbye() async -> XMLElement {
        stop()
        var presence = XMLElement("presence", namespace: Namespace.client, attributes: ["type": "unavailable"])
        presence.append(XMLElement("status", text: "shutting down"))
        presence.append(await discoInfo.capabilities().element)
        return presence
    }

    /// What the presence says now.
    package func currentPresence() async -> XMLElement {
        let status = await DeviceStatus.current(device: device, store: store)
        return PresenceStatus(status, configuration: configuration).element(caps: await discoInfo.capabilities())
    }

    /// Fetches the roster, withdraws our presence subscription from every contact that is no
    /// longer an operator or viewer, and asks the listed accounts that are due.
    private func reviewRoster() async {
        guard await roster.load(from: session) else { return }
        let items = await roster.all
        for item in items where item.subscription.theyReceiveOurs && access.role(of: item.jid) == .stranger {
            AccessLog.refused("presence (subscription withdrawn at login)", from: item.jid, role: .stranger, needed: .viewer)
            await send(XMLElement("presence", namespace: Namespace.client, attributes: ["to": item.jid.description, "type": "unsubscribed"]))
        }
        await enroll(Dictionary(items.map { ($0.jid, $0) }, uniquingKeysWith: { a, _ in a }))
    }

    /// Asks every listed account that has neither granted, nor been asked, nor refused.
    private func enroll(_ items: [JID: Roster.Item]) async {
        guard !enrollment.accounts.isEmpty else { return }
        var standings: [Enrollment.Standing: Int] = [:]
        for account in enrollment.accounts { standings[enrollment.standing(account, item: items[account]), default: 0] += 1 }
        let due = enrollment.accountsToAsk { items[$0] }
        for account in due { await askSubscription(account) }
        let others = [(Enrollment.Standing.granted, "granted"), (.pending, "pending"), (.following, "following"), (.refused, "refused")]
            .compactMap { standing, word in standings[standing].map { "\($0) \(word)" } }
        log.info("enrollment: asked \(due.count)\(due.isEmpty ? "" : " (" + due.map(\.description).joined(separator: ", ") + ")")"
            + (others.isEmpty ? "" : "; " + others.joined(separator: ", ")))
    }

    /// A contact asked for our presence and was approved: ask for theirs in return, unless we
    /// have it or asked already (RFC 6121 §3.1.5).
    package func reciprocate(_ contact: JID) async {
        guard enrollment.mayReciprocate(contact, item: await roster.item(contact)) else { return }
        await askSubscription(contact)
    }

    /// A contact refused or cancelled our subscription: not asked again.
    package func noteRefused(_ contact: JID) {
        enrollment.noteRefused(contact)
    }

    private func askSubscription(_ contact: JID) async {
        await roster.notePendingOut(contact)
        await send(XMLElement("presence", namespace: Namespace.client, attributes: ["to": contact.description, "type": "subscribe"]))
    }
}
