package import Crypto
package import Support
import Transport
package import XMLStream
package import XMPPCore

/// One XMPP client session and its whole life cycle: connect, negotiate, stay online (pings,
/// XEP-0198 acks), and reconnect with back-off when the connection is lost, until stopped.
///
/// The socket, TLS and parser live on the connection's I/O thread; this actor owns the
/// protocol state. The agent reads `events` in one task and calls `send`/`request`/`stop`.
package actor XMPPSession {
    package nonisolated let events = EventChannel<SessionEvent>()
    let configuration: SessionConfiguration
    let credentials: TLSCredentials
    /// Time limits, back-off, keepalive and the ack pause all run on this clock.
    let clock: any AgentClock
    let log = Logger("session")

    /// The connection in use, if any.
    var connection: Connection?
    /// Set while negotiating on the current connection.
    var negotiator: StreamNegotiator?
    /// The full JID while online.
    package internal(set) var boundJID: JID?
    /// The full JID of the last session, to resume it after a cut.
    var lastBoundJID: JID?
    var streamManagement = StreamManagementState<OutboundStanza>()
    var smActive = false
    /// Unacknowledged stanzas when the last ack request went out.
    var acknowledgedRequestedAt = 0
    var ackRequestScheduled = false
    var pendingRequests: [String: PendingRequest] = [:]
    /// Expires requests past their deadline; runs only while some wait.
    var requestSweeper: Task<Void, Never>?
    var nextID: UInt64 = 0
    let idPrefix = String(UInt32.random(in: 0...UInt32.max), radix: 36)
    /// Back-off, redirects, time limits, keepalive and resumption decisions: made there,
    /// carried out here.
    var lifecycle: SessionLifecycle
    var keepalive: Task<Void, Never>?
    /// Which of the configured servers the next attempt begins with.
    var servers: ServerRotation
    var wakeFromBackoff: CheckedContinuation<Void, Never>?
    /// Received elements the agent has not finished with: reading stops at its bound.
    let inbound: InboundWindow
    /// Bulk senders waiting for room on the link (`waitForBulkRoom`).
    var bulkWaiters: [CheckedContinuation<Void, Never>] = []

    /// A stanza sent while XEP-0198 is on: kept until acknowledged, to resend after a resume.
    struct OutboundStanza: Sendable {
        let bytes: [UInt8]
        let tag: StanzaTag?
    }

    package init(configuration: SessionConfiguration, clock: any AgentClock = SystemClock()) throws(TLSError) {
        self.configuration = configuration
        self.clock = clock
        credentials = try TLSCredentials(configuration.tls)
        lifecycle = SessionLifecycle(SessionLifecycle.Settings(
            connectTimeout: configuration.connectTimeout, pingInterval: configuration.pingInterval,
            pingTimeout: configuration.pingTimeout, reconnectInitial: configuration.reconnectInitial,
            reconnectMax: configuration.reconnectMax))
        servers = ServerRotation(configuration.servers)
        inbound = InboundWindow(high: configuration.inboundStanzas)
    }

    /// A session dropped without `run()` ending still ends its events.
    deinit {
        events.finish()
    }

    package var isOnline: Bool { boundJID != nil }

    /// The current connection's server and TLS, since when the session is online, and the last
    /// disconnect with its reason.
    package internal(set) var connectionInfo = ConnectionInfo()

    /// The failure logged as an error since the session was last online (a wrong password, a
    /// certificate), if any: what retrying will not fix by itself.
    package var reportedFailure: String? { lifecycle.lastReportedFailure }

    /// How many `.online(resumed: false)` events this session has emitted: it rises when a new
    /// stream (a new XEP-0198 session, or one without XEP-0198) starts, not when one is resumed.
    /// A caller that counts those events knows which stream its `sendRequest` is meant for.
    package internal(set) var streamGeneration = 0

    /// Runs until `stop()`: one connection after another, with back-off between them.
    package func run() async {
        log.info("TLS trust: \(credentials.trustSource)")
        while !lifecycle.stopRequested {
            let reason = await runConnection()
            wentOffline(reason)
            guard let delay = lifecycle.reconnectDelay(jitter: Double.random(in: 0...1)) else { break }
            log.info("reconnecting in \(delay.secondsText)")
            await sleepUnlessStopped(delay)
        }
        keepalive?.cancel()
        events.finish()
    }

    /// Ends the session cleanly: sends `goodbye` (an unavailable presence), acknowledges what
    /// arrived (XEP-0198), closes the stream and waits for the server's close. Returns once
    /// `run()` is over.
    package func stop(goodbye: XMLElement? = nil) async {
        guard lifecycle.stopping(connected: connection != nil) else { return }
        wakeFromBackoff?.resume()
        wakeFromBackoff = nil
        guard let connection else { return }
        var trailer = ""
        if isOnline {
            if let goodbye { send(goodbye) }
            // XEP-0198 §4: acknowledge what arrived before a graceful close.
            if smActive { trailer += ackElement().serialized(inheritedNamespace: Namespace.client) }
        }
        connection.close(trailer: trailer + StreamTags.closing)
    }

    // MARK: One connection

    /// Connects once and serves the connection until it ends; returns why it ended.
    private func runConnection() async -> String {
        let redirect = lifecycle.connectionStarting()
        var settings = ConnectionSettings(
            planner: EndpointPlanner(
                domain: configuration.jid.domain, host: redirect?.host ?? configuration.host,
                port: redirect?.port ?? configuration.port, directTLS: configuration.directTLS),
            credentials: credentials, limits: configuration.limits, connectTimeout: configuration.connectTimeout)
        settings.planner.servers = servers.order
        settings.handshakeTimeout = configuration.connectTimeout
        settings.inbound = inbound
        settings.outgoingHighWater = configuration.outputBuffer
        settings.outgoingLowWater = configuration.outputBuffer / 4
        settings.drained = { [weak self] in Task { await self?.wakeBulkSenders() } }
        connectionInfo = ConnectionInfo(lastDisconnect: connectionInfo.lastDisconnect)
        let connection: Connection
        do {
            connection = try Connection(settings: settings)
            try connection.start()
        } catch {
            return "cannot start a connection: \(error)"
        }
        self.connection = connection
        defer { self.connection = nil }
        for await event in connection.events {
            if let reason = handle(event) { return reason }
        }
        return "connection ended"
    }

    /// One event of the connection; the reason it ended when it did. Synchronous, so that its
    /// locals live on the thread's stack, not in `runConnection`'s async frame, which stays
    /// allocated for as long as the connection does (with everything here inlined into it, that
    /// frame grew past 12 KiB per session).
    @inline(never)
    private func handle(_ event: ConnectionEvent) -> String? {
        switch event {
        case .connected(let endpoint, let address, let tls):
            servers.connected(to: endpoint)
            log.info("connected to \(endpoint)" + (address.hasPrefix(endpoint.host) ? "" : " (\(address))"))
            connectionInfo.server = endpoint.description
            connectionInfo.tls = tls
            if let tls { log.info("TLS established: \(tls)") }
            perform(lifecycle.connected(at: clock.now()))
            startNegotiation(secure: tls != nil)
        case .secured(let summary):
            log.info("TLS established: \(summary)")
            connectionInfo.tls = summary
            negotiate { n throws(NegotiationError) in try n.tlsEstablished() }
        case .opened:
            if negotiator != nil {
                negotiate { n throws(NegotiationError) in try n.streamOpened(); return [] }
            }
        case .element(let element):
            lifecycle.received(at: clock.now())
            let ticket = InboundTicket(inbound)  // released when the element is done with
            if negotiator != nil {
                negotiate { n throws(NegotiationError) in try n.handle(element) }
            } else if isOnline {
                handleOnline(element, ticket: ticket)
            } else {
                // The login failed or timed out and the connection is closing: what follows
                // may come from anyone on the path (no TLS, no authenticated server), so
                // nothing of it may reach a handler or the stream-management counters.
                log.debug("dropping <\(element.name)> received before the login completed")
            }
        case .failed(let failure):
            let (reason, actions) = lifecycle.connectionFailed(failure)
            perform(actions)
            return reason
        case .closed:
            return lifecycle.closedReason
        }
        return nil
    }

    /// Carries out what the life cycle decided.
    func perform(_ actions: [SessionLifecycle.Action]) {
        for action in actions {
            switch action {
            case .log(let level, let message):
                log.log(level) { message }
            case .abortConnection:
                connection?.abort()
            case .closeStream:
                connection?.close(trailer: StreamTags.closing)
            case .endNegotiation:
                negotiator = nil
            case .armNegotiationDeadline(let limit, let number):
                clock.after(limit) { [weak self] in await self?.negotiationDeadlinePassed(connection: number) }
            case .startKeepalive(let interval):
                startKeepalive(interval: interval)
            case .stopKeepalive:
                keepalive?.cancel()
                keepalive = nil
            case .ping(let resumed):
                Task { [weak self] in await self?.pingOrDrop(resumed: resumed) }
            }
        }
    }

    private func negotiationDeadlinePassed(connection number: Int) {
        perform(lifecycle.negotiationDeadlinePassed(connection: number))
    }

    // MARK: Going offline and back-off

    private func wentOffline(_ reason: String) {
        negotiator = nil
        let wasOnline = boundJID != nil
        boundJID = nil
        servers.connectionEnded(wentOnline: wasOnline)
        connectionInfo.onlineSince = nil
        connectionInfo.lastDisconnect = ConnectionInfo.Ending(at: Timestamp.now(), reason: reason)
        // A stream that will be resumed keeps its requests waiting: on resumption the server
        // sends again the answers we missed (an error to a publish among them, which must not
        // be taken for delivery). Otherwise they fail now, with the stream.
        let (drop, actions) = lifecycle.wentOffline(reason: reason, resumable: smActive && streamManagement.canResume)
        perform(actions)
        if drop { endPreviousStreamManagement() }
        wakeBulkSenders()  // they find the session offline and give up
        events.yield(.offline(reason: reason))
    }

    private func sleepUnlessStopped(_ delay: Duration) async {
        guard delay > .zero else { return }
        let timer = clock.after(delay) { [weak self] in await self?.endBackoff() }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            if lifecycle.stopRequested {
                continuation.resume()
            } else {
                wakeFromBackoff = continuation
            }
        }
        timer.cancel()
    }

    private func endBackoff() {
        wakeFromBackoff?.resume()
        wakeFromBackoff = nil
    }

    // MARK: Sending

    /// Sends a stanza if online. With XEP-0198 on, it is kept until acknowledged and `tag`
    /// comes back in `.acknowledged`. Returns false when offline (nothing was sent).
    @discardableResult
    package func send(_ stanza: XMLElement, tag: StanzaTag? = nil) -> Bool {
        guard isOnline, let connection else { return false }
        var bytes: [UInt8] = []
        stanza.serialize(into: &bytes, inheritedNamespace: Namespace.client)
        transmit(OutboundStanza(bytes: bytes, tag: tag), on: connection)
        return true
    }

    /// How many sent stanzas the server has not acknowledged yet (the publisher keeps this
    /// bounded so memory stays flat however long the backlog).
    package var unacknowledgedCount: Int { streamManagement.unacknowledgedCount }

    package var streamManagementActive: Bool { smActive }

    func transmit(_ stanza: OutboundStanza, on connection: Connection) {
        connection.send(stanza.bytes)
        guard smActive else { return }
        streamManagement.sent(stanza)
        if streamManagement.unacknowledgedCount - acknowledgedRequestedAt >= configuration.ackBatch {
            requestAck()
        } else {
            scheduleAckRequest()
        }
    }

    /// Sends raw elements outside the stanza count: SM nonzas, negotiation elements.
    func sendNonza(_ element: XMLElement) {
        connection?.send(element.serialized(inheritedNamespace: Namespace.client))
    }

    package func nextRequestID() -> String {
        nextID += 1
        return "k\(idPrefix)-\(nextID)"
    }
}
