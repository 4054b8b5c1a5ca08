import Readings
import Support
import Testing
import XMLStream
import XMPPCore
@testable import XEPs

/// How `<req/>` flags become a selection, and how answers are cut into messages.
@Suite struct ReadoutRequestTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let attributes: String
        let types: Set<FieldType>
        let history: Bool
        var testDescription: String { attributes.isEmpty ? "(no flags)" : attributes }
    }

    static let live = Set(FieldType.allCases)
    static let rows: [Row] = [
        Row(attributes: "", types: live, history: false),
        Row(attributes: "momentary='true'", types: [.momentary], history: false),
        Row(attributes: "momentary='true' status='1' identity='false'", types: [.momentary, .status], history: false),
        Row(attributes: "all='true'", types: live, history: false),
        Row(attributes: "historical='true'", types: [], history: true),
        Row(attributes: "historicalHour='true'", types: [], history: true),
        Row(attributes: "from='2024-01-01T00:00:00Z'", types: [], history: true),
        Row(attributes: "all='true' to='2024-01-01T00:00:00Z'", types: live, history: true),
        Row(attributes: "momentary='true' from='2024-01-01T00:00:00Z'", types: [.momentary], history: false),
        Row(attributes: "peak='true' historical='true'", types: [.peak], history: true),
    ]

    @Test(arguments: rows) func flags(_ row: Row) throws {
        let request = try ReadoutRequest(XMLElement(parsing: "<req xmlns='urn:xmpp:iot:sensordata' seqnr='1' \(row.attributes)/>"))
        #expect(request.selection.types == row.types)
        #expect(request.selection.history == row.history)
        #expect(request.selection.names == nil)
    }

    @Test func namesNodesAndWhen() throws {
        let request = try ReadoutRequest(XMLElement(parsing: """
            <req xmlns='urn:xmpp:iot:sensordata' seqnr='12' when='2024-01-01T12:00:00Z'>\
            <node nodeId='simulated'/><field name='relay'/><field name='dimmer'/></req>
            """))
        #expect(request.seqnr == "12")
        #expect(request.nodeIDs == ["simulated"])
        #expect(request.selection.names == ["relay", "dimmer"])
        #expect(request.when == Timestamp(xsDateTime: "2024-01-01T12:00:00Z"))
    }

    static let noon = Timestamp(xsDateTime: "2024-01-01T12:00:00Z")!

    private func readings(_ count: Int, failing: Int = 0) -> [Reading] {
        (0..<count).map { Reading(name: "r\($0)", value: .int(Int32($0)), timestamp: Self.noon) }
            + (0..<failing).map { Reading.failure(name: "f\($0)", reason: "gone", at: Self.noon) }
    }

    @Test func onlyTheLastPayloadIsDone() {
        let payloads = ReadoutResponse.payloads(seqnr: "3", nodeID: "n", live: readings(5, failing: 3), stored: readings(2), chunk: 2)
        #expect(payloads.map(\.name) == ["fields", "fields", "fields", "fields", "failure", "failure"])
        #expect(payloads.map { $0.attribute("done") } == [nil, nil, nil, nil, nil, "true"])
        #expect(payloads.allSatisfy { $0.attribute("seqnr") == "3" })
        let stored = SensorDataXML.parseFields(payloads[3])
        #expect(stored?.readings.map(\.name) == ["r0", "r1"])
        #expect(payloads[3].serialized().contains("historicalOther='true'"))
    }

    @Test func emptyReadoutStillEnds() {
        let payloads = ReadoutResponse.payloads(seqnr: "9", nodeID: "n", live: [])
        #expect(payloads.map { $0.serialized() } == ["<fields xmlns='urn:xmpp:iot:sensordata' seqnr='9' done='true'><node nodeId='n'/></fields>"])
    }

    @Test func allFailedIsOneFailureDone() {
        let payloads = ReadoutResponse.payloads(seqnr: "9", nodeID: "n", live: readings(0, failing: 2))
        #expect(payloads.map(\.name) == ["failure"])
        #expect(payloads.first?.attribute("done") == "true")
        #expect(payloads.first?.elements.count == 2)
    }
}
