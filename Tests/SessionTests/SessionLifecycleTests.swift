import Crypto
import Support
import Testing
import Transport
import XMPPCore

@testable import Session

/// The session's life cycle walked event by event, with times given as arguments: back-off,
/// redirects, the login deadline, keepalive pings, resumption and stopping.
@Suite struct SessionLifecycleTests {
    typealias Action = SessionLifecycle.Action
    static let jid = try! JID("device@example.org/kinglet")

    func lifecycle() -> SessionLifecycle {
        SessionLifecycle(SessionLifecycle.Settings(
            connectTimeout: .seconds(15), pingInterval: .seconds(60), pingTimeout: .seconds(20),
            reconnectInitial: .seconds(1), reconnectMax: .seconds(60)))
    }

    /// One connection that gets online at `at`.
    func online(_ l: inout SessionLifecycle, at: Duration = .zero, resumed: Bool = false) -> [Action] {
        _ = l.connectionStarting()
        _ = l.connected(at: at)
        return l.wentOnline(as: Self.jid, resumed: resumed, at: at)
    }

    @Test func backOffGrowsToItsCapAndStartsAgainOnceOnline() {
        var l = lifecycle()
        var delays: [Duration] = []
        for _ in 0..<8 {
            _ = l.connectionStarting()
            _ = l.connectionFailed(.unreachable(["127.0.0.1:5222: connect: Connection refused"]))
            _ = l.wentOffline(reason: "unreachable", resumable: false)
            delays.append(l.reconnectDelay(jitter: 1)!)
        }
        #expect(delays == [1, 2, 4, 8, 16, 32, 60, 60].map { Duration.seconds($0) })
        #expect(online(&l).contains(.startKeepalive(interval: .seconds(60))))
        _ = l.wentOffline(reason: "connection lost", resumable: true)
        #expect(l.reconnectDelay(jitter: 0) == .milliseconds(500), "half the first ceiling with the least jitter")
    }

    @Test func theLoginMustFinishWithinTwiceTheConnectTimeout() {
        var l = lifecycle()
        _ = l.connectionStarting()
        #expect(l.connected(at: .zero) == [.armNegotiationDeadline(.seconds(30), connection: 1)])
        #expect(l.negotiationDeadlinePassed(connection: 1) == [
            .log(.warning, "the server did not complete the login within 30.0s"), .endNegotiation, .abortConnection,
        ])
        #expect(l.closedReason == "the server did not complete the login in time")
        #expect(l.negotiationDeadlinePassed(connection: 1) == [], "once")

        _ = l.wentOffline(reason: l.closedReason, resumable: false)
        _ = online(&l)
        #expect(l.negotiationDeadlinePassed(connection: 1) == [], "a deadline from the last connection")
        #expect(l.negotiationDeadlinePassed(connection: 2) == [], "the login finished in time")
    }

    @Test func aRedirectIsFollowedAtOnceThreeTimesThenWithTheBackOff() {
        var l = lifecycle()
        var delays: [Duration?] = []
        var targets: [String?] = []
        for _ in 0..<5 {
            targets.append(l.connectionStarting().map { "\($0.host):\($0.port ?? 0)" })
            _ = l.connected(at: .zero)
            let error = NegotiationError.streamError(StreamError(condition: "see-other-host", otherHost: "other.example.org:5223"))
            #expect(l.negotiationFailed(error) == [.log(.warning, "server redirects to other.example.org:5223"), .abortConnection])
            _ = l.wentOffline(reason: l.closedReason, resumable: false)
            delays.append(l.reconnectDelay(jitter: 1))
        }
        #expect(targets == [nil] + Array(repeating: "other.example.org:5223", count: 4))
        #expect(delays == [.zero, .zero, .zero, .seconds(1), .seconds(2)], "until a session starts, more redirects back off")
    }

    @Test func aWrongPasswordIsReportedOnceAndWaitsTheLongestBackOff() {
        var l = lifecycle()
        let refused = NegotiationError.authentication(.failure(.notAuthorized, text: nil))
        var levels: [LogLevel] = []
        for _ in 0..<3 {
            _ = l.connectionStarting()
            _ = l.connected(at: .zero)
            let actions = l.negotiationFailed(refused)
            #expect(actions.last == .closeStream)
            if case .log(let level, _) = actions.first { levels.append(level) }
            _ = l.wentOffline(reason: l.closedReason, resumable: false)
            #expect(l.reconnectDelay(jitter: 1) == .seconds(60))
        }
        #expect(levels == [.error, .debug, .debug])
        _ = l.negotiationFailed(.authentication(.failure(.temporaryAuthFailure, text: nil)))
        _ = online(&l)
        _ = l.wentOffline(reason: "connection lost", resumable: true)
        #expect(l.reconnectDelay(jitter: 1) == .seconds(1), "online again: the back-off starts over")
    }

    @Test(arguments: [
        (TLSError.Kind.certificate, LogLevel.error, Duration.seconds(60)),
        (.handshake, .error, .seconds(1)),
        (.io, .warning, .seconds(1)),
    ])
    func tlsFailuresTheOperatorMustFixWaitLonger(kind: TLSError.Kind, level: LogLevel, delay: Duration) {
        var l = lifecycle()
        _ = l.connectionStarting()
        let (_, actions) = l.connectionFailed(.tls(TLSError(kind, operation: "TLS handshake with example.org", message: "x")))
        guard case .log(let logged, _) = actions.first else { Issue.record("\(actions)"); return }
        #expect(logged == level)
        _ = l.wentOffline(reason: "tls", resumable: false)
        #expect(l.reconnectDelay(jitter: 1) == delay)
    }

    @Test func keepalivePingsOnlyWhenNothingArrivedForAWholeInterval() {
        var l = lifecycle()
        _ = online(&l)
        l.received(at: .seconds(10))
        #expect(l.keepaliveFired(at: .seconds(60)) == [])
        #expect(l.keepaliveFired(at: .seconds(70)) == [.ping(resumed: false)])
        #expect(l.pingTimedOut(connection: 1, resumed: false) == [
            .log(.warning, "no answer to a ping in 20.0s: the connection is dead"), .abortConnection,
        ])
        #expect(l.closedReason == "the server stopped answering")
        let (drop, actions) = l.wentOffline(reason: l.closedReason, resumable: true)
        #expect(!drop, "a dead link keeps the stream resumable")
        #expect(actions == [.stopKeepalive, .log(.info, "offline: the server stopped answering")])
        #expect(l.keepaliveFired(at: .seconds(200)) == [], "no ping while offline")
    }

    @Test func aResumedStreamThatDoesNotAnswerIsNotResumedAgain() {
        var l = lifecycle()
        _ = online(&l)
        _ = l.wentOffline(reason: "connection lost", resumable: true)
        #expect(online(&l, resumed: true).contains(.ping(resumed: true)), "a resumed stream is proved by a ping")
        #expect(l.pingTimedOut(connection: 1, resumed: false) == [], "a ping from the last connection")
        _ = l.pingTimedOut(connection: 2, resumed: true)
        #expect(l.wentOffline(reason: l.closedReason, resumable: true).dropStreamManagement)
        _ = online(&l)
        #expect(!l.wentOffline(reason: "connection lost", resumable: true).dropStreamManagement, "only that once")
    }

    @Test func aStreamErrorWhileOnlineDecidesTheReasonAndTheBackOff() {
        var l = lifecycle()
        _ = online(&l)
        let conflict = StreamError(condition: "conflict", text: "replaced")
        guard case .log(.error, _) = l.streamErrorReceived(conflict).first else { Issue.record("not an error"); return }
        #expect(l.closedReason.hasPrefix("stream error: "))
        let closeAgain = l.protocolViolated("handled count too high")
        #expect(!closeAgain, "already closing")
        _ = l.wentOffline(reason: l.closedReason, resumable: true)
        #expect(l.reconnectDelay(jitter: 1) == .seconds(60))
    }

    @Test func stoppingEndsTheLoop() {
        var l = lifecycle()
        _ = online(&l)
        let first = l.stopping(connected: true), second = l.stopping(connected: true)
        #expect(first && !second, "once")
        #expect(l.closedReason == "stream closed")
        let (drop, actions) = l.wentOffline(reason: "stream closed", resumable: true)
        #expect(drop, "a stopped session is not resumed")
        #expect(actions.contains(.log(.info, "stream closed")))
        #expect(l.reconnectDelay(jitter: 1) == nil)
    }
}
