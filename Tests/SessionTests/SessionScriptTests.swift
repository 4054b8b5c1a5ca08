import Crypto
import Support
import TestSupport
import Testing
import XMLStream
import XMPPCore

@testable import Session

/// The session against a scripted server (`openssl s_server` speaking TLS, the test speaking
/// XMPP through it) with the manual clock: a dead link found by the keepalive ping, the
/// back-off, resumption proved by a ping, a refused login and stopping during the back-off.
@Suite(.serialized) struct SessionScriptTests {
    static let header =
        "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='s1' from='kinglet.test' version='1.0'>"
    static let saslFeatures =
        "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>"
    static let boundFeatures =
        "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/><sm xmlns='urn:xmpp:sm:3'/></stream:features>"

    /// The session, its clock, the server and what the session reported.
    struct Rig {
        let certificates: TestCertificates
        let server: TLSScriptedServer
        let clock = ManualClock()
        let session: XMPPSession
        let events: EventLog

        init() async throws {
            certificates = try await TestCertificates.make(for: "kinglet.test")
            server = try await TLSScriptedServer.start(certificates)
            var configuration = SessionConfiguration(
                jid: try JID("device@kinglet.test"), resource: "k", password: Secret("secret"),
                tls: TLSConfiguration(serverName: "kinglet.test", trust: .caFile(certificates.caFile)))
            configuration.host = "127.0.0.1"
            configuration.port = server.port
            configuration.directTLS = true
            configuration.reconnectInitial = .seconds(2)
            configuration.reconnectMax = .seconds(4)
            configuration.pingInterval = .seconds(60)
            configuration.pingTimeout = .seconds(20)
            session = try XMPPSession(configuration: configuration, clock: clock)
            events = EventLog(session.events)
        }

        /// Plays the server's side of a login up to SASL; returns after the client authenticated.
        func authenticate() async throws {
            _ = try await server.read(until: "<stream:stream")
            _ = try await server.read(until: ">")
            server.write(SessionScriptTests.header + SessionScriptTests.saslFeatures)
            #expect(try await server.read(until: "</auth>").contains("mechanism='PLAIN'"))
            server.write("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>")
            _ = try await server.read(until: "<stream:stream")
            _ = try await server.read(until: ">")
            server.write(SessionScriptTests.header + SessionScriptTests.boundFeatures)
        }

        /// A new session: bind, then XEP-0198 with resumption.
        func bindAndEnable() async throws {
            _ = try await server.read(until: "</iq>")
            server.write("<iq type='result' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>device@kinglet.test/k</jid></bind></iq>")
            _ = try await server.read(until: "<enable")
            server.write("<enabled xmlns='urn:xmpp:sm:3' id='sm-1' resume='true' max='300'/>")
        }
    }

    @Test func aDeadLinkIsFoundByPingAndTheSessionResumesAfterTheBackOff() async throws {
        let rig = try await Rig()
        let run = Task { await rig.session.run() }
        try await rig.authenticate()
        try await rig.bindAndEnable()
        #expect(await rig.events.wait { $0 == "online device@kinglet.test/k" })

        // Two sleepers once online: the login deadline (armed at connect) and the keepalive.
        #expect(await rig.clock.waitForSleepers(2))
        rig.clock.advance(by: .seconds(59))
        rig.clock.advance(by: .seconds(1))  // a whole interval with nothing from the server
        let ping = try await rig.server.read(until: "</iq>")
        #expect(ping.contains("urn:xmpp:ping") && ping.contains("type='get'"))
        rig.clock.advance(by: .seconds(20))  // no answer within ping_timeout
        #expect(await rig.events.wait { $0 == "offline the server stopped answering" })

        // The back-off (2 s at most for the first attempt) runs on the manual clock too.
        #expect(await rig.clock.waitForSleepers(1))
        rig.clock.advance(by: .seconds(2))
        try await rig.authenticate()
        _ = try await rig.server.read(until: "<resume")
        let resume = try await rig.server.read(until: "/>")
        #expect(resume.contains("previd='sm-1'") && resume.contains("h='0'"), "nothing arrived on the old stream")
        rig.server.write("<resumed xmlns='urn:xmpp:sm:3' h='1' previd='sm-1'/>")  // it had the ping
        #expect(await rig.events.wait { $0 == "resumed device@kinglet.test/k" })
        // A resumed stream is proved by a ping; an answer keeps it.
        let proof = try await rig.server.read(until: "</iq>")
        #expect(proof.contains("urn:xmpp:ping"))
        let id = try #require(proof.split(separator: "id='").last?.split(separator: "'").first)
        rig.server.write("<iq type='result' id='\(id)' from='kinglet.test'/>")

        let stopping = Task { await rig.session.stop() }
        _ = try await rig.server.read(until: "</stream:stream>")
        rig.server.write("</stream:stream>")
        await stopping.value
        await run.value
        #expect(await rig.events.all.last == "offline stream closed")
        #expect(await rig.events.all.filter { $0.hasPrefix("online") || $0.hasPrefix("resumed") }.count == 2)
    }

    @Test func aRefusedLoginWaitsTheLongestBackOffAndStopEndsTheWait() async throws {
        let rig = try await Rig()
        let run = Task { await rig.session.run() }
        _ = try await rig.server.read(until: "<stream:stream")
        _ = try await rig.server.read(until: ">")
        rig.server.write(Self.header + Self.saslFeatures)
        _ = try await rig.server.read(until: "</auth>")
        rig.server.write("<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/></failure>")
        _ = try await rig.server.read(until: "</stream:stream>")
        rig.server.write("</stream:stream>")
        #expect(await rig.events.wait { $0.hasPrefix("offline") && $0.contains("not-authorized") })
        #expect(await rig.clock.waitForSleepers(1), "the back-off timer")
        rig.clock.advance(by: .seconds(1))
        #expect(await rig.events.all.count == 1, "a wrong password is not retried at once")
        await rig.session.stop()
        await run.value  // returns without the clock reaching the end of the back-off
    }
}

/// What the session reported, as short lines: `online JID`, `resumed JID`, `offline REASON`.
actor EventLog {
    private(set) var all: [String] = []

    init(_ events: EventChannel<SessionEvent>) {
        Task { await self.consume(events) }
    }

    private func consume(_ events: EventChannel<SessionEvent>) async {
        for await event in events {
            switch event {
            case .online(let jid, let resumed): all.append((resumed ? "resumed " : "online ") + jid.description)
            case .offline(let reason): all.append("offline " + reason)
            case .stanza, .acknowledged, .unacknowledged: break
            }
        }
    }

    /// Waits until a line matching `match` has been reported.
    func wait(_ match: (String) -> Bool) async -> Bool {
        await eventually { all.contains(where: match) }
    }
}
