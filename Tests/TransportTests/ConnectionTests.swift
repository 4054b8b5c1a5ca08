import Crypto
import Foundation
import Glibc
import Testing
import TestSupport
import XMLStream
@testable import Transport

@Suite(.serialized) struct ConnectionTests {
    static let header = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='s1' from='example.org' version='1.0'>"
    static let features = "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>"

    func connection(to port: UInt16) throws -> Connection {
        let credentials = try TLSCredentials(TLSConfiguration(serverName: "example.org"))
        let settings = ConnectionSettings(
            planner: EndpointPlanner(domain: "example.org", host: "127.0.0.1", port: port), credentials: credentials,
            limits: XMLStreamLimits(maxStanzaBytes: 4096), closeTimeout: .seconds(2))
        let connection = try Connection(settings: settings)
        try connection.start()
        return connection
    }

    /// Collects events until `stop` says enough, with a deadline.
    func collect(_ connection: Connection, until stop: @escaping @Sendable ([ConnectionEvent]) -> Bool) async throws -> [ConnectionEvent] {
        try await withThrowingTaskGroup(of: [ConnectionEvent].self) { group in
            group.addTask {
                var events: [ConnectionEvent] = []
                for await event in connection.events {
                    events.append(event)
                    if stop(events) { break }
                }
                return events
            }
            group.addTask {
                try await Task.sleep(for: .seconds(60))
                throw POSIXError(.ETIMEDOUT)
            }
            let result = try await group.next()!
            group.cancelAll()
            return result
        }
    }

    @Test func deliversHeaderAndElementsAndSendsWhatItIsGiven() async throws {
        let server = try ScriptedServer()
        let connection = try connection(to: server.port)
        try await server.accept()
        connection.send(StreamTags.opening(to: "example.org"))
        let opening = try await server.read(until: "version='1.0'")
        #expect(opening.contains("<stream:stream"))
        #expect(!opening.contains("from="))
        server.write(Self.header + Self.features)
        let events = try await collect(connection) { $0.count >= 3 }
        guard case .connected(let endpoint, _, let tls) = events[0] else { Issue.record("no connected: \(events)"); return }
        #expect(endpoint.port == server.port && tls == nil)
        guard case .opened(let header) = events[1] else { Issue.record("no header"); return }
        #expect(header.attribute("id") == "s1")
        guard case .element(let features) = events[2] else { Issue.record("no features"); return }
        #expect(features.name == "features" && features.child("starttls", namespace: "urn:ietf:params:xml:ns:xmpp-tls") != nil)
        connection.close(trailer: StreamTags.closing)
        #expect(try await server.read(until: "</stream:stream>").hasSuffix("</stream:stream>"))
        server.write("</stream:stream>")
        let rest = try await collect(connection) { if case .closed = $0.last { true } else { false } }
        guard case .closed = rest.last else { Issue.record("not closed: \(rest)"); return }
    }

    @Test(arguments: [
        ("<message><body>x</bodyy></message>", "not-well-formed"),
        ("<!-- comment -->", "restricted-xml"),
        ("<message><body>" + String(repeating: "A", count: 10_000) + "</body></message>", "policy-violation"),
    ])
    func hostileInputGetsTheStreamErrorAndEndsTheConnection(input: String, condition: String) async throws {
        let server = try ScriptedServer()
        let connection = try connection(to: server.port)
        try await server.accept()
        connection.send(StreamTags.opening(to: "example.org"))
        _ = try await server.read(until: "version='1.0'")
        server.write(Self.header + input)
        let reply = try await server.read(until: "</stream:stream>")
        #expect(reply.contains("<stream:error><\(condition) xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>"))
        let events = try await collect(connection) { if case .failed = $0.last { true } else { false } }
        guard case .failed(.streamErrorSent(let error)) = events.last else { Issue.record("\(events)"); return }
        #expect(error.condition.rawValue == condition)
    }

    @Test func serverClosingItsStreamIsAnsweredAndReported() async throws {
        let server = try ScriptedServer()
        let connection = try connection(to: server.port)
        try await server.accept()
        server.write(Self.header + "</stream:stream>")
        #expect(try await server.read(until: "</stream:stream>").contains("</stream:stream>"))
        let events = try await collect(connection) { if case .failed = $0.last { true } else { false } }
        guard case .failed(.closedByPeer) = events.last else { Issue.record("\(events)"); return }
    }

    @Test func restartResetsTheParser() async throws {
        let server = try ScriptedServer()
        let connection = try connection(to: server.port)
        try await server.accept()
        server.write(Self.header + Self.features)
        _ = try await collect(connection) { $0.count >= 3 }
        connection.restartStream(header: StreamTags.opening(to: "example.org"))
        _ = try await server.read(until: "version='1.0'")
        // A second header is only acceptable because the client reset its parser.
        server.write(Self.header + "<message from='a@example.org'><body>hi</body></message>")
        let events = try await collect(connection) { $0.count >= 2 }
        guard case .opened = events[0], case .element(let message) = events[1] else { Issue.record("\(events)"); return }
        #expect(message.child("body")?.text == "hi")
        connection.abort()
    }

    /// SRV puts a direct-TLS target first; it accepts and hangs up in the handshake (a
    /// middlebox, a port that does not speak TLS). The STARTTLS target after it is tried.
    @Test func aDirectTLSTargetThatBreaksOffFallsBackToTheNextEndpoint() async throws {
        struct Records: SRVLookup {
            let direct: UInt16, plain: UInt16
            func lookup(_ name: String) -> SRVAnswer {
                let tls = name.hasPrefix("_xmpps-client")
                return .records([SRVRecord(priority: tls ? 0 : 10, weight: 0, port: tls ? direct : plain, target: "127.0.0.1")])
            }
        }
        let broken = try ScriptedServer()
        let good = try ScriptedServer()
        let credentials = try TLSCredentials(TLSConfiguration(serverName: "example.org"))
        var settings = ConnectionSettings(
            planner: EndpointPlanner(domain: "example.org"), credentials: credentials,
            limits: XMLStreamLimits(maxStanzaBytes: 4096), closeTimeout: .seconds(2))
        settings.lookup = Records(direct: broken.port, plain: good.port)
        let connection = try Connection(settings: settings)
        try connection.start()
        try await broken.accept()
        broken.hangUp()
        try await good.accept()
        let events = try await collect(connection) { !$0.isEmpty }
        guard case .connected(let endpoint, _, let tls) = events.first else { Issue.record("\(events)"); return }
        #expect(endpoint.port == good.port && !endpoint.directTLS && tls == nil)
        connection.abort()
    }

    @Test func nobodyListeningIsUnreachable() async throws {
        let server = try ScriptedServer()
        let port = server.port
        server.stopListening()  // the port is now closed
        let connection = try connection(to: port)
        let events = try await collect(connection) { if case .failed = $0.last { true } else { false } }
        guard case .failed(.unreachable(let reasons)) = events.last else { Issue.record("\(events)"); return }
        #expect(reasons.first?.contains("refused") == true)
    }
}
