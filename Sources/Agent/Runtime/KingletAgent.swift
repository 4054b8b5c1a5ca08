package import Crypto
package import Store
import Devices
import Glibc
import Session

import Support
import Synchronization
import XEPs
import XMLStream
import XMPPCore

/// The running agent: wires the session, the device, the outbox and the features together, and
/// runs until `stop()`: `kinglet run` stops it on SIGTERM/SIGINT. Nothing in it is per process,
/// so `kinglet fleet simulate` runs many side by side.
///
/// Data flow (ARCHITECTURE.md): device → outbox (SQLite) → publisher → session; incoming stanzas →
/// router → feature handlers. The features are listed explicitly in `AgentFeatures`.
package final class KingletAgent: Sendable {
    private let configuration: AgentConfiguration
    private let session: XMPPSession
    private let device: Device
    private let store: ReadingStore
    private let router: StanzaRouter
    private let access: AccessPolicy
    private let refusals: RefusalLogger
    /// Publishes the outbox; nil with `[publish] mode = "off"`.
    private let publisher: Publisher?
    private let presence: PresenceService
    /// The seat in the fleet room; nil without `[fleet] room`.
    private let room: RoomService?
    private let restart: RestartLatch
    /// systemd's notify protocol and watchdog; nil unless started as a notify service.
    private let service: ServiceManager?
    /// Events the agent's loop has taken and finished, for the watchdog.
    private let loopProgress = ProgressMeter()
    /// What `run` returns: success, or `ExitStatus.restart` after a requested restart.
    private let exitStatus = Mutex(ExitStatus.success)
    private let log = Logger("agent")

    /// Opens the outbox, prepares the device and the session. Fails only on what the operator
    /// must fix (TLS files, a database from a newer Kinglet).
    package static func start(configuration: AgentConfiguration) async throws(AgentStartError) -> KingletAgent {
        let session: XMPPSession
        do {
            var sessionConfiguration = configuration.xmpp.sessionConfiguration()
            sessionConfiguration.ackBatch = configuration.publish.ackEvery
            configuration.limits.apply(to: &sessionConfiguration)
            session = try XMPPSession(configuration: sessionConfiguration)
        } catch {
            throw .tls(error)
        }
        do {
            if let folder = try configuration.store.createDefaultFolderIfMissing() { Logger("store").info("created \(folder) (mode 700)") }
        } catch {
            Logger("store").warning("cannot create the outbox's folder: \(error)")
        }
        let store: ReadingStore
        do {
            store = try await ReadingStore(configuration: configuration.store)
        } catch {
            throw .store(error)
        }
        let settings = configuration.device
        let device = Device(
            profile: settings.profile, environment: DeviceEnvironment(seed: settings.seed),
            startSequence: await store.lastSequence())
        // Outputs start where they were left (restore = "last"), and every set is kept.
        await device.adopt(await store.controlStates())
        await device.keepStates { state in await store.save(state) }
        return KingletAgent(configuration: configuration, session: session, device: device, store: store)
    }

    private init(configuration: AgentConfiguration, session: XMPPSession, device: Device, store: ReadingStore) {
        self.configuration = configuration
        self.session = session
        self.device = device
        self.store = store
        publisher = configuration.publish.publishConfiguration(
            account: configuration.xmpp.jid, operators: configuration.access.operators, nodeID: configuration.device.nodeID
        ).map { Publisher(configuration: $0, transport: session, store: store) }
        let restart = RestartLatch()
        self.restart = restart
        let features = AgentFeatures(
            configuration: configuration, session: session, sender: session, ownJID: { await session.boundJID },
            device: device, store: store, lifecycle: restart)
        presence = features.presence
        router = features.router
        access = features.access
        refusals = features.refusals
        room = Self.fleetRoom(
            configuration: configuration, session: session, access: features.access, chat: features.chat, presence: presence)
        service = ServiceManager.fromEnvironment { [session, device, store] in
            ServiceStatus.text(
                boundJID: await session.boundJID, connection: await session.connectionInfo,
                device: await DeviceStatus.current(device: device, store: store))
        }
    }

    /// The fleet room's seat, with the nick from `[fleet] nick`, the device's name, or the account.
    private static func fleetRoom(
        configuration: AgentConfiguration, session: XMPPSession, access: AccessPolicy, chat: ChatCommandHandler, presence: PresenceService
    ) -> RoomService? {
        guard let room = configuration.fleet.room else { return nil }
        let nick = configuration.fleet.nick ?? configuration.presence.name ?? configuration.xmpp.jid.local ?? "kinglet"
        return RoomService(
            sender: session, settings: RoomState.Settings(room: room, nick: nick), password: configuration.fleet.password?.revealed,
            access: access, chat: chat, currentPresence: { await presence.currentPresence() })
    }

    /// Runs until `stop()` (or a requested restart); returns the exit status.
    package func run() async -> Int32 {
        let profile = configuration.device.profile
        log.info("device '\(profile.name)': \(profile.sensors.count) sensors, \(profile.controls.count) controls")
        let outputs = OutputAnnouncement.announce(profile, configFile: configuration.file, log: log)
        defer { withExtendedLifetime(outputs) {} }
        // The first sample is not waited for: a source that hangs must not keep the agent offline.
        let deviceStarted = Task { [device] in await device.start() }
        let recorder = Task { [device, store] in
            for await batch in device.batches { await store.append(batch) }
        }
        await publisher?.start()
        await presence.start()
        if let room { await presence.mirror { await room.presenceChanged($0) } }
        let sessionTask = Task { await session.run() }
        var meters: [WatchdogProgress.Part: ProgressMeter] = [.eventLoop: loopProgress, .sampler: device.progress]
        meters[.publisher] = publisher?.progress
        // Up without waiting for the network: the device samples and the outbox takes readings.
        Task { [service, configuration, meters] in
            await deviceStarted.value
            await service?.ready(meters: meters, statusInterval: configuration.presence.checkInterval)
        }
        // Stanzas go to queues of their own (operators, viewers, strangers): this loop never
        // waits on a handler. After each, a requested restart begins, once the command's reply
        // is queued.
        let dispatcher = StanzaDispatcher(
            router: router, access: access, sender: session, limits: configuration.limits.consumers, refusals: refusals
        ) { [self] in
            if restart.take() { await shutDown("restart requested, going offline", status: ExitStatus.restart) }
        }
        for await event in session.events {
            loopProgress.begin()
            await handle(event, dispatcher: dispatcher)
            loopProgress.finish()
        }
        await sessionTask.value
        await dispatcher.finish()
        await recorder.value
        await publisher?.stop()
        await store.close()
        let status = exitStatus.withLock { $0 }
        log.info(status == ExitStatus.restart ? "stopped; exiting with status \(status) so that the service manager restarts the agent" : "stopped")
        return status
    }

    /// Goes offline cleanly (`run` then returns success): what SIGTERM does in `kinglet run`, and
    /// Ctrl-C to every device in `kinglet fleet simulate`.
    package func stop(_ reason: String) async {
        await shutDown(reason, status: ExitStatus.success)
    }

    /// Online, or the error the session reported since it was last online (a wrong password,
    /// a certificate), for the simulator's counts.
    package func connectionStatus() async -> (online: Bool, error: String?) {
        await (session.isOnline, session.reportedFailure)
    }

    /// Goes offline cleanly: sampling stops, an unavailable presence goes out, the stream closes;
    /// `run` then returns `status`.
    private func shutDown(_ reason: String, status: Int32) async {
        log.info(reason)
        service?.stopping()
        exitStatus.withLock { $0 = status }
        await device.stop()
        await session.stop(goodbye: await presence.goodbye())
    }

    private func handle(_ event: SessionEvent, dispatcher: StanzaDispatcher) async {
        switch event {
        case .online(_, let resumed):
            await presence.online(resumed: resumed)
            await room?.online(resumed: resumed)
            publisher?.post(event)
            service?.statusMayHaveChanged()
        case .stanza(let stanza, _):  // the ticket goes with the case: the stanza is dispatched
            switch await room?.handle(stanza) ?? .notMine {
            case .notMine: await dispatcher.dispatch(stanza)
            case .taken: break
            case .request(let command): await dispatcher.dispatch(command)  // the sender's budget and lane
            }
        case .offline:
            await room?.offline()
            publisher?.post(event)
            service?.statusMayHaveChanged()
        case .acknowledged, .unacknowledged:
            publisher?.post(event)
        }
    }
}

/// Why the agent could not start (after the config itself was valid).
package enum AgentStartError: Error, Sendable, CustomStringConvertible {
    case tls(TLSError)
    case store(StoreError)

    package var description: String {
        switch self {
        case .tls(let error): "\(error)"
        case .store(let error): "\(error)"
        }
    }
}
