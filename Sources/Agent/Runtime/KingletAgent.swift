package import Crypto
package import Store
import Devices
import Glibc
import Session

import Support
import XEPs
import XMLStream
import XMPPCore

/// The running agent: wires the session, the device, the outbox and the features together, and
/// runs until SIGTERM/SIGINT. One instance per process.
///
/// Data flow (DESIGN.md): sampler → outbox (SQLite) → publisher → session; incoming stanzas →
/// router → feature handlers. The features are listed explicitly in `makeRouter`.
package final class KingletAgent: Sendable {
    private let configuration: AgentConfiguration
    private let session: XMPPSession
    private let sampler: Sampler
    private let store: ReadingStore
    private let router: StanzaRouter
    private let log = Logger("agent")

    /// Opens the outbox, prepares the device and the session. Fails only on what the operator
    /// must fix (TLS files, a database from a newer Kinglet).
    package static func start(configuration: AgentConfiguration) async throws(AgentStartError) -> KingletAgent {
        let session: XMPPSession
        do {
            session = try XMPPSession(configuration: configuration.xmpp.sessionConfiguration())
        } catch {
            throw .tls(error)
        }
        let store: ReadingStore
        do {
            store = try await ReadingStore(configuration: configuration.store)
        } catch {
            throw .store(error)
        }
        let device = configuration.device
        let sampler = Sampler(
            profile: device.profile, environment: SamplerEnvironment(seed: device.seed),
            startSequence: await store.lastSequence())
        return KingletAgent(configuration: configuration, session: session, sampler: sampler, store: store)
    }

    private init(configuration: AgentConfiguration, session: XMPPSession, sampler: Sampler, store: ReadingStore) {
        self.configuration = configuration
        self.session = session
        self.sampler = sampler
        self.store = store
        let access = AccessPolicy(
            operators: configuration.access.operators, viewers: configuration.access.viewers,
            account: configuration.xmpp.jid)
        router = Self.makeRouter(session: session, access: access, sampler: sampler, store: store)
    }

    /// Every feature the agent answers, in one explicit list.
    private static func makeRouter(session: XMPPSession, access: AccessPolicy, sampler: Sampler, store: ReadingStore) -> StanzaRouter {
        StanzaRouter(
            session: session, access: access,
            iqHandlers: [PingHandler()],
            messageHandlers: [],
            presenceHandlers: [SubscriptionHandler(session: session)])
    }

    /// Runs until a signal stops it; returns the exit status.
    package func run() async -> Int32 {
        let signals = SignalWatcher()
        let profile = configuration.device.profile
        log.info("device '\(profile.name)': \(profile.sensors.count) sensors, \(profile.controls.count) controls")
        await sampler.start()
        let recorder = Task { [sampler, store] in
            for await batch in sampler.batches { await store.append(batch) }
        }
        let sessionTask = Task { await session.run() }
        let stopper = Task { [session, sampler] in
            for await number in signals.signals {
                Logger("agent").info("received \(number == SIGTERM ? "SIGTERM" : "SIGINT"), shutting down")
                await sampler.stop()
                await session.stop(goodbye: XMLElement("presence", namespace: Namespace.client, attributes: ["type": "unavailable"]))
                return
            }
        }
        for await event in session.events {
            await handle(event)
        }
        await sessionTask.value
        stopper.cancel()
        await recorder.value
        await store.close()
        log.info("stopped")
        return ExitStatus.success
    }

    private func handle(_ event: SessionEvent) async {
        switch event {
        case .online(_, let resumed):
            if !resumed { await session.send(XMLElement("presence", namespace: Namespace.client)) }
        case .stanza(let stanza):
            await router.route(stanza)
        case .offline, .acknowledged, .unacknowledged:
            break
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
