import Crypto
import Devices
import Foundation
import Readings
import Session
import Store
import Support
import Testing
import XMLStream
import XMPPCore

@testable import XEPs

/// Chat `set` with several controls, and `read NAME SPAN` from the history.
@Suite struct ChatSetAndHistoryTests {
    @Test func severalControlsAreCheckedTogetherAppliedInOrderAndAnsweredOnce() async throws {
        let bench = try await ChatCommandTests.Bench()
        #expect(await bench.say("set relay on dimmer 40") == "relay is now on, dimmer is now 40 %")
        #expect(await bench.fixture.shown("relay") == "on")
        #expect(await bench.fixture.shown("dimmer") == "40 %")
        // One bad value: nothing is touched, every problem is named.
        #expect(await bench.say("set relay off dimmer 150 mode turbo")
            == "dimmer must be a whole number between 0 and 100 %, not 150; mode must be one of auto, manual, off, not 'turbo'; nothing was set")
        #expect(await bench.fixture.shown("relay") == "on")
        // Not every other word a control: one value, the rest of the line, which does not fit.
        #expect(await bench.say("set relay off toaster on") == "relay must be on or off, not 'off toaster on'")
    }

    @Test func readWithASpanAnswersFromTheHistory() async throws {
        let directory = NSTemporaryDirectory() + "kinglet-chat-history-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = StoreConfiguration(path: directory + "/outbox.db")
        configuration.historyMaxAge = .seconds(7 * 86_400)
        configuration.commitInterval = .zero
        let fixture = try await CommandFixture.make()
        let store = try await ReadingStore(configuration: configuration, clock: fixture.clock)  // history ages on it
        let now = fixture.clock.wallTime()
        func reading(_ sequence: UInt64, minutesAgo: Int64, _ value: Double?) -> Reading {
            let time = now.adding(milliseconds: -minutesAgo * 60_000)
            guard let value else {
                var failed = Reading.failure(name: "temperature", unit: "°C", reason: "gone", at: time)
                failed.sequence = sequence
                return failed
            }
            return Reading(sequence: sequence, name: "temperature", value: .numeric(value, decimals: 2), unit: "°C", timestamp: time)
        }
        await store.append(ReadingBatch([reading(1, minutesAgo: 120, 10), reading(2, minutesAgo: 50, 20)]))
        await store.acknowledge(throughSequence: 2)  // history now
        await store.append(ReadingBatch([reading(3, minutesAgo: 30, 22.5), reading(4, minutesAgo: 20, nil)]))
        await store.append(ReadingBatch([reading(5, minutesAgo: 10, 24)]))  // still pending: counts too

        let services = DeviceServices(device: fixture.device, store: store, clock: fixture.clock)
        let handler = ChatCommandHandler(services: services, ownJID: { device }, sender: RecordingSender())
        func say(_ text: String) async -> String? {
            let message = XMLElement("message", namespace: Namespace.client, attributes: ["type": "chat", "from": alice.description]) {
                XMLElement("body", text: text)
            }
            guard case .reply(let reply) = await handler.verdict(on: message, from: alice, role: .viewer) else { return nil }
            return reply.child("body")?.text
        }
        #expect(await say("read temperature 1h") == "temperature over the last 1h: min 20.00 °C, mean 22.17 °C, max 24.00 °C (3 readings)")
        #expect(await say("read Temperature 3h")?.hasSuffix("min 10.00 °C, mean 19.13 °C, max 24.00 °C (4 readings)") == true)
        #expect(await say("read temperature 5m") == "temperature: no numbers in the last 5m")
        #expect(await say("read toaster 1h")?.hasPrefix("no sensor named 'toaster'; sensors: serial_number, temperature") == true)
        #expect(await say("help")?.contains("read NAME... SPAN") == true)
        await store.close()

        // Without history kept, the reply says so.
        let bench = try await ChatCommandTests.Bench()
        #expect(await bench.say("read temperature 1h")?.hasPrefix("no history is kept here") == true)
        #expect(await bench.say("help")?.contains("read NAME... SPAN") == false)
    }
}

@Suite struct DeviceInformationConnectionTests {
    @Test func serverTLSSinceWhenAndTheLastDisconnect() {
        let now = Timestamp(xsDateTime: "2026-01-01T12:00:00Z")!
        let info = ConnectionInfo(
            server: "xmpp.example.org:5222", tls: TLSSummary(line: "TLSv1.2 TLS-ECDHE-ECDSA-WITH-AES-256-GCM-SHA384"),
            onlineSince: Timestamp(xsDateTime: "2026-01-01T09:46:00Z")!,
            lastDisconnect: .init(at: Timestamp(xsDateTime: "2026-01-01T09:45:58Z")!, reason: "the server stopped answering"))
        let fields = DeviceInfoCommand.connectionFields(info, now: now)
        #expect(fields.map(\.label) == ["Server", "TLS", "Connected since", "Last disconnect"])
        #expect(fields.map { $0.values.first ?? "" } == [
            "xmpp.example.org:5222", "TLSv1.2 TLS-ECDHE-ECDSA-WITH-AES-256-GCM-SHA384", "2026-01-01T09:46:00Z (2h 14m ago)",
            "2026-01-01T09:45:58Z (2h 14m ago): the server stopped answering",
        ])
        #expect(DeviceInfoCommand.connectionFields(ConnectionInfo(), now: now).map { $0.values.first ?? "" } == ["none since the agent started"])
    }
}
