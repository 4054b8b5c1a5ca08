import Crypto
import Glibc
import Support
import Synchronization
import Testing
import TestSupport
import XMLStream
@testable import Transport

@Suite(.serialized) struct BackpressureTests {
    static let message = Array(("<message from='a@example.org'><body>" + String(repeating: "x", count: 900) + "</body></message>").utf8)

    func connection(to port: UInt16, inbound: InboundWindow? = nil, drained: (@Sendable () -> Void)? = nil) throws -> Connection {
        let credentials = try TLSCredentials(TLSConfiguration(serverName: "example.org"))
        var settings = ConnectionSettings(
            planner: EndpointPlanner(domain: "example.org", host: "127.0.0.1", port: port), credentials: credentials)
        settings.inbound = inbound
        settings.drained = drained
        let connection = try Connection(settings: settings)
        try connection.start()
        return connection
    }

    /// Takes `count` elements off the connection, keeping their tickets (the consumer is busy).
    func take(_ count: Int, from events: inout EventChannel<ConnectionEvent>.AsyncIterator, window: InboundWindow) async -> [InboundTicket] {
        var tickets: [InboundTicket] = []
        while tickets.count < count, let event = await events.next() {
            if case .element = event { tickets.append(InboundTicket(window)) }
        }
        return tickets
    }

    @Test func aFullInboundWindowStopsReadingUntilTheConsumerCatchesUp() async throws {
        let server = try ScriptedServer()
        let window = InboundWindow(high: 4, low: 1)
        let connection = try connection(to: server.port, inbound: window)
        try await server.accept()
        server.shrinkBuffers()
        server.write(ConnectionTests.header + String(repeating: String(decoding: Self.message, as: UTF8.self), count: 4))
        var events = connection.events.makeAsyncIterator()
        var held = await take(4, from: &events, window: window)
        #expect(window.count == 4)
        // The consumer sits on four elements: the client reads nothing more, so the server's
        // writes soon back up (with reading going on, a quarter of a GiB would go through).
        let written = try await server.fillUntilRefused(Self.message)
        #expect(written != nil)
        #expect(window.count == 4)
        held.removeAll()  // the consumer is done with them
        // Reading resumes; a consumer that keeps up takes everything the server wrote.
        let target = (written ?? 0) / Self.message.count
        var seen = 0
        while seen < target, let event = await events.next() {
            if case .element = event {
                _ = InboundTicket(window)
                seen += 1
            }
        }
        #expect(seen == target)
        #expect(try await server.becomesWritable())
        connection.abort()
    }

    @Test func outputAboveTheHighWaterMarkStopsReadingUntilTheServerTakesIt() async throws {
        let server = try ScriptedServer()
        let drains = Atomic<Int>(0)
        let counter = InboundWindow(high: 1 << 30)  // never full: it only counts what was parsed
        let connection = try connection(to: server.port, inbound: counter, drained: { drains.add(1, ordering: .relaxed) })
        try await server.accept()
        server.shrinkBuffers()
        server.write(ConnectionTests.header)
        var events = connection.events.makeAsyncIterator()
        _ = await events.next()  // connected
        _ = await events.next()  // the server's header
        // 16 MiB for a server that reads nothing: more than the kernel buffers hold, so the
        // client's own buffer stays above its high water mark.
        let block = [UInt8](repeating: 0x20, count: 1 << 20)
        for _ in 0..<16 { connection.send(block) }
        let written = try await server.fillUntilRefused(Self.message) ?? 0
        #expect(written > 0)
        // What the client read before its output backed up, and no more: the rest waits.
        #expect(counter.count < written / Self.message.count)
        #expect(connection.unsentBytes > 256 << 10)
        let drainsBefore = drains.load(ordering: .relaxed)
        // The server reads it all: the output drains, the producer hears of it, reading resumes.
        #expect(try await server.discard(16 << 20))
        // The I/O thread counts a write once write() has returned, which may be after the
        // server has read it.
        #expect(await eventually { connection.unsentBytes == 0 })
        #expect(await eventually { drains.load(ordering: .relaxed) > drainsBefore })
        #expect(try await server.becomesWritable())
        var messages = 0
        while messages < 1, let event = await events.next() {
            if case .element = event { messages += 1 }
        }
        #expect(messages == 1)
        connection.abort()
    }

    @Test(arguments: [(high: 4, low: nil as Int?, expectedLow: 1), (high: 1, low: 5, expectedLow: 0), (high: 0, low: nil, expectedLow: 0)])
    func windowBoundsAreSane(high: Int, low: Int?, expectedLow: Int) {
        let window = InboundWindow(high: high, low: low)
        #expect(window.high >= 1)
        #expect(window.low == expectedLow)
    }
}
