import Support
import Transport
import XMPPCore

/// The session's life cycle as a pure value: connecting, negotiating, online, offline and the
/// wait before the next attempt. `XMPPSession` feeds it what happened (with the time, from its
/// clock) and carries out the actions it returns; negotiation itself is `StreamNegotiator` and
/// XEP-0198 counting is `StreamManagementState`, both pure too.
///
/// What it decides:
/// - **back-off**: the delay before the next attempt (`ReconnectBackoff`, reset once online,
///   at its cap after failures that retrying soon cannot fix: credentials, certificates,
///   a `conflict`); a failure that repeats is logged at error level once, then at debug level;
/// - **redirects**: a `see-other-host` is followed at once, three times without a session in
///   between, then with the normal back-off;
/// - **time limits**: the login must finish within twice the connect time-out; while online,
///   a ping goes out when nothing has arrived for `pingInterval`, and a ping without an
///   answer drops the connection;
/// - **resumption**: whether the stream management state of the stream that ended is kept for
///   a resumption (it is dropped when the stream cannot be resumed, when stopping, or when the
///   last resumption gave a stream that did not answer).
struct SessionLifecycle: Sendable {
    enum Phase: Sendable, Equatable {
        /// No connection, or one that has not reached the server yet.
        case disconnected
        case negotiating
        case online
    }

    /// Why the session closed or dropped the current connection itself.
    enum CloseReason: Sendable, Equatable {
        case stopping
        case pingTimeout
        case protocolViolation(String)
        case negotiationFailed(NegotiationError)
        case negotiationTimedOut
    }

    enum Action: Sendable, Equatable {
        case log(LogLevel, String)
        /// Drop the connection at once, without closing the stream.
        case abortConnection
        /// Close the stream (`</stream:stream>`) and wait for the server's close.
        case closeStream
        /// The login is over (failed or timed out): forget the negotiator.
        case endNegotiation
        /// Call `negotiationDeadlinePassed(connection:)` after this long.
        case armNegotiationDeadline(Duration, connection: Int)
        /// Call `keepaliveFired(at:)` every `interval` while online.
        case startKeepalive(interval: Duration)
        case stopKeepalive
        /// Ping the server; report a time-out with `pingTimedOut(connection:resumed:)`.
        case ping(resumed: Bool)
    }

    struct Settings: Sendable, Equatable {
        var connectTimeout: Duration
        var pingInterval: Duration
        var pingTimeout: Duration
        var reconnectInitial: Duration
        var reconnectMax: Duration
    }

    let settings: Settings
    private(set) var phase = Phase.disconnected
    /// Counts connections, so a timer or a ping started for one never acts on the next.
    private(set) var connectionNumber = 0
    private(set) var closeReason: CloseReason?
    private(set) var backoff: ReconnectBackoff
    /// A `see-other-host` redirect for the next attempt.
    private(set) var redirect: (host: String, port: UInt16?)?
    /// Redirects followed without a session in between.
    private(set) var redirectsFollowed = 0
    /// The last resumption gave a stream that did not answer: do not resume it again.
    private(set) var resumptionAbandoned = false
    /// The last failure logged at error level, so a repeating one is logged once.
    private(set) var lastReportedFailure: String?
    private(set) var stopRequested = false
    /// When something last arrived, on the session's clock.
    private(set) var lastInbound: Duration = .zero

    init(_ settings: Settings) {
        self.settings = settings
        backoff = ReconnectBackoff(initial: settings.reconnectInitial, cap: settings.reconnectMax)
    }

    var isOnline: Bool { phase == .online }

    // MARK: Connecting and negotiating

    /// A connection attempt begins; returns the redirect target it should use, if any.
    mutating func connectionStarting() -> (host: String, port: UInt16?)? {
        defer { redirect = nil }
        closeReason = nil
        connectionNumber += 1
        return redirect
    }

    /// The connection reached the server (TCP, and TLS for direct TLS): the login begins.
    mutating func connected(at now: Duration) -> [Action] {
        phase = .negotiating
        lastInbound = now
        // A server that accepts the connection and then goes quiet must not hold the agent for
        // ever: the whole login (TLS, SASL, bind) gets twice the connect time-out.
        return [.armNegotiationDeadline(settings.connectTimeout * 2, connection: connectionNumber)]
    }

    mutating func negotiationDeadlinePassed(connection number: Int) -> [Action] {
        guard number == connectionNumber, phase == .negotiating, closeReason == nil else { return [] }
        phase = .disconnected
        closeReason = .negotiationTimedOut
        return [
            .log(.warning, "the server did not complete the login within \((settings.connectTimeout * 2).secondsText)"),
            .endNegotiation, .abortConnection,
        ]
    }

    /// The login failed: decide the back-off and how to end the connection.
    mutating func negotiationFailed(_ error: NegotiationError) -> [Action] {
        phase = .disconnected
        closeReason = .negotiationFailed(error)
        switch error {
        case .streamError(let streamError):
            if let other = streamError.otherHost, let target = Endpoint.splitHostPort(other) {
                redirect = target
                return [.log(.warning, "server redirects to \(other)"), .abortConnection]
            }
            if streamError.retryingSoonIsPointless {
                backoff.jumpToCap()
                return [report("\(error)"), .abortConnection]
            }
            return [.log(.warning, "\(error)"), .abortConnection]
        case .authentication(let sasl):
            // Retrying soon cannot fix credentials; temporary failures get the normal back-off.
            if sasl.isPermanent { backoff.jumpToCap() }
            return [report("\(error)"), .closeStream]
        case .tlsNotOffered, .tlsRefused:
            backoff.jumpToCap()
            return [report("\(error)"), .closeStream]
        case .bindFailed, .unexpected:
            return [.log(.error, "\(error)"), .closeStream]
        }
    }

    // MARK: Online

    /// The login finished (a new session or a resumed one).
    mutating func wentOnline(as jid: JID, resumed: Bool, at now: Duration) -> [Action] {
        phase = .online
        lastInbound = now
        lastReportedFailure = nil
        redirectsFollowed = 0
        backoff.reset()
        var actions: [Action] = [
            .log(.info, "online as \(jid)" + (resumed ? " (resumed)" : "")), .startKeepalive(interval: settings.pingInterval),
        ]
        // A server can take a session back and then answer nothing (Prosody 0.12 can swallow
        // everything after a resumption): a ping proves the stream.
        if resumed { actions.append(.ping(resumed: true)) }
        return actions
    }

    /// Something arrived from the server.
    mutating func received(at now: Duration) {
        lastInbound = now
    }

    /// The keepalive timer: ping when nothing has arrived for a whole interval (XEP-0199 §4.2).
    func keepaliveFired(at now: Duration) -> [Action] {
        guard phase == .online, now - lastInbound >= settings.pingInterval else { return [] }
        return [.ping(resumed: false)]
    }

    /// A ping sent on connection `number` got no answer in time: the stream is dead. For a
    /// stream just resumed, its XEP-0198 session is given up too.
    mutating func pingTimedOut(connection number: Int, resumed: Bool) -> [Action] {
        guard number == connectionNumber else { return [] }  // a ping from before a resumption
        resumptionAbandoned = resumed
        closeReason = .pingTimeout
        return [
            .log(.warning, "no answer to a ping in \(settings.pingTimeout.secondsText)"
                + (resumed ? " after resuming: starting a new session" : ": the connection is dead")),
            .abortConnection,
        ]
    }

    /// A stream error from the server while online; the server closes the stream next.
    mutating func streamErrorReceived(_ error: StreamError) -> [Action] {
        if let other = error.otherHost, let target = Endpoint.splitHostPort(other) {
            redirect = target
        }
        closeReason = .protocolViolation("stream error: \(error)")
        if error.retryingSoonIsPointless {
            backoff.jumpToCap()
            return [report("stream error from the server: \(error)")]
        }
        return [.log(.warning, "stream error from the server: \(error)")]
    }

    /// The server broke the protocol (XEP-0198 counts): true when the session should close the
    /// stream with an error now, false when it is already closing.
    mutating func protocolViolated(_ what: String) -> Bool {
        guard closeReason == nil else { return false }
        closeReason = .protocolViolation(what)
        return true
    }

    // MARK: Offline and back-off

    /// The connection failed (not closed by us); returns the reason for `.offline`.
    mutating func connectionFailed(_ failure: ConnectionFailure) -> (reason: String, actions: [Action]) {
        if case .tls(let error) = failure, error.kind != .io {
            // The server failed a check or the handshake failed: the operator must look.
            if error.kind != .handshake { backoff.jumpToCap() }
            return (failure.description, [report("TLS: \(error.description)")])
        }
        // The network went away (a reset under TLS included): the agent just comes back.
        return (failure.description, [.log(.warning, "connection lost: \(failure)")])
    }

    /// Why the connection ended, when it ended by a close (ours or the server's).
    var closedReason: String {
        switch closeReason {
        case .stopping, nil: "stream closed"
        case .pingTimeout: "the server stopped answering"
        case .protocolViolation(let what): what
        case .negotiationFailed(let error): error.description
        case .negotiationTimedOut: "the server did not complete the login in time"
        }
    }

    /// The connection is gone. `resumable`: XEP-0198 is on and the server offered resumption.
    /// Returns whether its stream management state must be dropped now (its requests fail,
    /// its unacknowledged stanzas go back to their senders) rather than kept for a resumption.
    mutating func wentOffline(reason: String, resumable: Bool) -> (dropStreamManagement: Bool, actions: [Action]) {
        let wasOnline = phase == .online
        phase = .disconnected
        var actions: [Action] = [.stopKeepalive]
        if wasOnline || stopRequested {
            actions.append(.log(.info, stopRequested ? "stream closed" : "offline: \(reason)"))
        }
        let drop = !resumable || stopRequested || resumptionAbandoned
        if drop { resumptionAbandoned = false }
        return (drop, actions)
    }

    /// How long to wait before the next attempt; nil once stopped. `jitter` is a uniform
    /// random number in [0, 1].
    mutating func reconnectDelay(jitter: Double) -> Duration? {
        guard !stopRequested else { return nil }
        if redirect != nil, redirectsFollowed < 3 {
            redirectsFollowed += 1
            return .zero
        }
        return backoff.nextDelay(unit: jitter)
    }

    /// `stop()` was called; false when it had been already. A connection in use is closed by
    /// the session (the close then reads as "stream closed").
    mutating func stopping(connected: Bool) -> Bool {
        guard !stopRequested else { return false }
        stopRequested = true
        if connected { closeReason = .stopping }
        return true
    }

    /// A failure at error level the first time, at debug level while it repeats: a wrong
    /// password or a bad certificate is reported once, clearly, not at every back-off.
    private mutating func report(_ message: String) -> Action {
        if message == lastReportedFailure { return .log(.debug, message + " (again)") }
        lastReportedFailure = message
        return .log(.error, message)
    }
}
