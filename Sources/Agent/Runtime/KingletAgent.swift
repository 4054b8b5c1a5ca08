package import Crypto
import Glibc
import Session
import Support
import XEPs
import XMLStream
import XMPPCore

/// The running agent: wires the session, the device and the features together, and runs
/// until SIGTERM/SIGINT. One instance per process.
package final class KingletAgent: Sendable {
    private let configuration: AgentConfiguration
    private let session: XMPPSession
    private let router: StanzaRouter
    private let log = Logger("agent")

    package init(configuration: AgentConfiguration) throws(AgentStartError) {
        self.configuration = configuration
        let xmpp = configuration.xmpp
        let sessionConfiguration = xmpp.sessionConfiguration()
        do {
            session = try XMPPSession(configuration: sessionConfiguration)
        } catch {
            throw .tls(error)
        }
        let access = AccessPolicy(
            operators: configuration.access.operators, viewers: configuration.access.viewers, account: xmpp.jid)
        router = StanzaRouter(
            session: session, access: access,
            iqHandlers: [PingHandler()],
            messageHandlers: [],
            presenceHandlers: [SubscriptionHandler(session: session)])
    }

    /// Runs until a signal stops it; returns the exit status.
    package func run() async -> Int32 {
        let signals = SignalWatcher()
        let sessionTask = Task { await session.run() }
        let stopper = Task { [session] in
            for await number in signals.signals {
                Logger("agent").info("received \(number == SIGTERM ? "SIGTERM" : "SIGINT"), shutting down")
                await session.stop(goodbye: XMLElement("presence", namespace: Namespace.client, attributes: ["type": "unavailable"]))
                return
            }
        }
        for await event in session.events {
            switch event {
            case .online(_, let resumed):
                if !resumed { await session.send(XMLElement("presence", namespace: Namespace.client)) }
            case .stanza(let stanza):
                await router.route(stanza)
            case .offline, .acknowledged, .unacknowledged:
                break
            }
        }
        await sessionTask.value
        stopper.cancel()
        log.info("stopped")
        return ExitStatus.success
    }
}

/// Why the agent could not start (after the config itself was valid).
package enum AgentStartError: Error, Sendable, CustomStringConvertible {
    case tls(TLSError)

    package var description: String {
        switch self {
        case .tls(let error): "\(error)"
        }
    }
}
