import Readings
import Support
import Testing
import XMLStream
import XMPPCore
@testable import XEPs

/// XEP-0323 readouts of the simulated device: what is accepted, refused, and sent afterwards.
@Suite(.serialized) struct SensorDataHandlerTests {
    private let ns = SensorDataXML.namespace

    /// Runs a request through the handler as the router would: reply, then `afterReply`.
    private func exchange(_ handler: SensorDataHandler, _ request: XMLElement) async -> XMLElement {
        let reply = await handler.handle(request, from: alice, role: .viewer)
        await handler.afterReply(reply, to: request, from: alice, role: .viewer)
        return reply
    }

    private func fields(_ stanzas: [XMLElement]) -> [SensorDataFields] {
        stanzas.compactMap { $0.child("fields", namespace: ns).flatMap(SensorDataXML.parseFields) }
    }

    @Test func momentaryReadoutIsAcceptedThenSentWithDone() async throws {
        let device = try await DeviceFixture()
        let handler = device.readoutHandler()
        let reply = await exchange(handler, try iq("get", "<req xmlns='\(ns)' seqnr='7' momentary='true'/>"))
        #expect(reply.serialized() == "<iq xmlns='jabber:client' type='result' id='q1' to='\(alice)'><accepted xmlns='\(ns)' seqnr='7'/></iq>")
        let sent = await device.sent.wait(for: 2)
        #expect(sent.allSatisfy { $0.name == "message" && $0.attribute("to") == alice.description })
        let data = fields(sent)
        let names = Set(data.flatMap(\.readings).map(\.name))
        #expect(names == ["temperature", "humidity", "pressure"])
        #expect(data.flatMap(\.readings).allSatisfy { $0.fieldType == .momentary && $0.value != nil })
        #expect(data.allSatisfy { $0.seqnr == "7" && $0.nodes.map(\.nodeID) == ["simulated"] && !$0.done })
        // The failing momentary source comes last, as a failure that ends the readout.
        let failure = try #require(sent.last?.child("failure", namespace: ns))
        #expect(failure.attribute("seqnr") == "7" && failure.attribute("done") == "true")
        #expect(failure.children("error", namespace: ns).map(\.text).first?.hasPrefix("soil: ") == true)
        await device.close()
    }

    @Test func identityAndNamedFieldsOnly() async throws {
        let device = try await DeviceFixture()
        let handler = device.readoutHandler()
        _ = await exchange(handler, try iq("get", "<req xmlns='\(ns)' seqnr='1' identity='true'/>"))
        _ = await exchange(handler, try iq("get", "<req xmlns='\(ns)' seqnr='2'><field name='relay'/><field name='temperature'/></req>", id: "q2"))
        let sent = await device.sent.wait(for: 2)
        // Each readout is sent on a task of its own: the two may come in either order.
        let data = fields(sent).sorted { $0.seqnr ?? "" < $1.seqnr ?? "" }
        #expect(data.count == 2)
        #expect(Set(data[0].readings.map(\.name)) == ["serial_number", "model", "agent_version"])
        #expect(data[0].readings.allSatisfy { $0.fieldType == .identity } && data[0].done)
        #expect(Set(data[1].readings.map(\.name)) == ["relay", "temperature"])
        #expect(data[1].readings.first { $0.name == "relay" }?.writable == true)
        #expect(data[1].done)
        await device.close()
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        let payload: String
        let condition: StanzaError.Condition
        var testDescription: String { payload }
    }

    static let refusals: [Refusal] = [
        Refusal(payload: "<req xmlns='urn:xmpp:iot:sensordata'/>", condition: .badRequest),
        Refusal(payload: "<req xmlns='urn:xmpp:iot:sensordata' seqnr='x'/>", condition: .badRequest),
        Refusal(payload: "<req xmlns='urn:xmpp:iot:sensordata' seqnr='1' from='yesterday'/>", condition: .badRequest),
        Refusal(payload: "<req xmlns='urn:xmpp:iot:sensordata' seqnr='1'><node nodeId='other'/></req>", condition: .itemNotFound),
        Refusal(payload: "<req xmlns='urn:xmpp:iot:sensordata' seqnr='1'><field name='nope'/></req>", condition: .itemNotFound),
        Refusal(payload: "<req xmlns='urn:xmpp:iot:sensordata' seqnr='1' when='2999-01-01T00:00:00Z'/>", condition: .badRequest),
        Refusal(payload: "<frobnicate xmlns='urn:xmpp:iot:sensordata'/>", condition: .featureNotImplemented),
    ]

    @Test(arguments: refusals) func refusedRequestsSendNothing(_ row: Refusal) async throws {
        let device = try await DeviceFixture()
        let reply = await exchange(device.readoutHandler(), try iq("get", row.payload))
        #expect(reply.stanzaType == "error")
        #expect(StanzaError(stanza: reply)?.condition == row.condition)
        #expect(await device.sent.stanzas.isEmpty)
        await device.close()
    }

    @Test func requestForOwnNodeIsServed() async throws {
        let device = try await DeviceFixture()
        let reply = await exchange(device.readoutHandler(), try iq("get", "<req xmlns='\(ns)' seqnr='3' status='true'><node nodeId='simulated'/></req>"))
        #expect(reply.stanzaType == "result")
        let data = fields(await device.sent.wait(for: 1))
        #expect(Set(data.flatMap(\.readings).map(\.name)) == ["relay", "dimmer", "status_led", "mode"])
        await device.close()
    }

    @Test func historicalReadoutComesFromTheStore() async throws {
        let device = try await DeviceFixture()
        let t0 = Timestamp(xsDateTime: "2024-05-01T10:00:00Z")!
        await device.store.append(ReadingBatch([
            Reading(sequence: 1, name: "temperature", value: .numeric(20.5, decimals: 1), unit: "°C", timestamp: t0),
            Reading(sequence: 2, name: "humidity", value: .numeric(40, decimals: 1), unit: "%", timestamp: t0),
            Reading(sequence: 3, name: "temperature", value: .numeric(21, decimals: 1), unit: "°C", timestamp: t0.adding(milliseconds: 5000)),
        ]))
        let request = "<req xmlns='\(ns)' seqnr='4' historical='true' from='2024-05-01T09:00:00Z' to='2024-05-01T11:00:00Z'><field name='temperature'/></req>"
        _ = await exchange(device.readoutHandler(), try iq("get", request))
        let sent = await device.sent.wait(for: 1)
        let xml = try #require(sent.first?.child("fields", namespace: ns)).serialized()
        #expect(xml == """
            <fields xmlns='\(ns)' seqnr='4' done='true'><node nodeId='simulated'>\
            <timestamp value='2024-05-01T10:00:00Z'><numeric name='temperature' historicalOther='true' automaticReadout='true' value='20.5' unit='°C'/></timestamp>\
            <timestamp value='2024-05-01T10:00:05Z'><numeric name='temperature' historicalOther='true' automaticReadout='true' value='21.0' unit='°C'/></timestamp>\
            </node></fields>
            """)
        await device.close()
    }

    @Test func scheduledReadoutIsQueuedStartedAndCancellable() async throws {
        let device = try await DeviceFixture()
        let handler = device.readoutHandler()
        let soon = Timestamp.now().adding(milliseconds: 200).xsDateTime
        let later = Timestamp.now().adding(milliseconds: 3_600_000).xsDateTime
        let queued = await exchange(handler, try iq("get", "<req xmlns='\(ns)' seqnr='5' momentary='true' when='\(later)'/>"))
        #expect(queued.payload?.attribute("queued") == "true")
        let cancel = await exchange(handler, try iq("get", "<cancel xmlns='\(ns)' seqnr='5'/>", id: "q2"))
        #expect(cancel.payload?.serialized() == "<cancelled xmlns='\(ns)' seqnr='5'/>")
        _ = await exchange(handler, try iq("get", "<req xmlns='\(ns)' seqnr='6' identity='true' when='\(soon)'/>", id: "q3"))
        let sent = await device.sent.wait(for: 2)
        #expect(sent.first?.payload?.serialized() == "<started xmlns='\(ns)' seqnr='6'/>")
        #expect(fields(sent).map(\.seqnr) == ["6"])
        #expect(sent.allSatisfy { $0.payload?.attribute("seqnr") == "6" })  // nothing for the cancelled 5
        await device.close()
    }
}
