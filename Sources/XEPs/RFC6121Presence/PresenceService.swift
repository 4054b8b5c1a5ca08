package import Devices
package import Session
package import Store
import Support
package import XMLStream
import XMPPCore

/// The device's presence: sends the available presence after login, keeps its `<show/>` and
/// status line in step with health and backlog (looked at every `checkInterval`, sent only
/// when it changes), puts the XEP-0115 caps in every presence, and says goodbye with an
/// unavailable one.
///
/// At login it also fetches the roster and withdraws our presence from contacts that are no
/// longer operators or viewers (someone removed from `[access]` must stop seeing the device).
package actor PresenceService {
    private let session: XMPPSession
    private let configuration: PresenceConfiguration
    private let device: DeviceDiscoInfo
    private let sampler: Sampler
    private let store: ReadingStore
    private let roster: Roster
    private let access: AccessPolicy
    private let clock: any SamplerClock
    private var gate = PresenceGate()
    private var watcher: Task<Void, Never>?
    private let log = Logger("presence")

    package init(
        session: XMPPSession, configuration: PresenceConfiguration, device: DeviceDiscoInfo, sampler: Sampler,
        store: ReadingStore, roster: Roster, access: AccessPolicy, clock: any SamplerClock = SystemSamplerClock()
    ) {
        self.session = session
        self.configuration = configuration
        self.device = device
        self.sampler = sampler
        self.store = store
        self.roster = roster
        self.access = access
        self.clock = clock
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
        } else {
            gate.unsent(presence)
        }
    }

    /// Sends a directed presence (subscription answers) with the caps added.
    @discardableResult
    package func send(_ presence: XMLElement) async -> Bool {
        var stamped = presence
        stamped.append(await device.capabilities().element)
        return await session.send(stamped)
    }

    /// The unavailable presence for the shutdown, with the caps like every other.
    package func goodbye() async -> XMLElement {
        stop()
        var presence = XMLElement("presence", namespace: Namespace.client, attributes: ["type": "unavailable"])
        presence.append(XMLElement("status", text: "shutting down"))
        presence.append(await device.capabilities().element)
        return presence
    }

    /// What the presence says now.
    package func currentPresence() async -> XMLElement {
        let status = await DeviceStatus.current(sampler: sampler, store: store)
        return PresenceStatus(status, configuration: configuration).element(caps: await device.capabilities())
    }

    /// Fetches the roster and withdraws our presence subscription from every contact that
    /// is no longer an operator or viewer.
    private func reviewRoster() async {
        guard await roster.load(from: session) else { return }
        for item in await roster.all where item.subscription.theyReceiveOurs && access.role(of: item.jid) == .stranger {
            AccessLog.refused("presence (subscription withdrawn at login)", from: item.jid, role: .stranger, needed: .viewer)
            await send(XMLElement("presence", namespace: Namespace.client, attributes: ["to": item.jid.description, "type": "unsubscribed"]))
        }
    }
}
