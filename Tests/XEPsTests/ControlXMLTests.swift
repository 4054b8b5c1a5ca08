import Readings
import Testing
import XMLStream
import XMPPCore
@testable import XEPs

/// XEP-0325 shapes: typed parameters read into changes, and the error a failure becomes.
@Suite struct ControlXMLTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let xml: String
        let change: ControlChange?
        let error: String?
        var testDescription: String { xml }
    }

    static let rows: [Row] = [
        Row(xml: "<boolean name='relay' value='true'/>", change: ControlChange("relay", .boolean(true)), error: nil),
        Row(xml: "<boolean name='relay' value='0'/>", change: ControlChange("relay", .boolean(false)), error: nil),
        Row(xml: "<boolean name='relay' value='on'/>", change: nil, error: "relay: 'on' is not an xs:boolean"),
        Row(xml: "<int name='dimmer' value='40'/>", change: ControlChange("dimmer", .int(40)), error: nil),
        Row(xml: "<long name='count' value='5000000000'/>", change: ControlChange("count", .int(5_000_000_000)), error: nil),
        Row(xml: "<int name='dimmer' value='4.5'/>", change: nil, error: "dimmer: '4.5' is not an integer"),
        Row(xml: "<double name='setpoint' value='21.5'/>", change: ControlChange("setpoint", .double(21.5)), error: nil),
        Row(xml: "<double name='setpoint' value='NaN'/>", change: nil, error: "setpoint: 'NaN' is not a number"),
        Row(xml: "<color name='lamp' value='3399FF'/>", change: ControlChange("lamp", .color(Color(red: 0x33, green: 0x99, blue: 0xFF))), error: nil),
        Row(xml: "<color name='lamp' value='blue'/>", change: nil, error: "lamp: 'blue' is not a colour (RRGGBB or RRGGBBAA)"),
        Row(xml: "<string name='mode' value='auto'/>", change: ControlChange("mode", .string("auto")), error: nil),
        Row(xml: "<dateTime name='alarm' value='2024-01-01T00:00:00Z'/>", change: ControlChange("alarm", .string("2024-01-01T00:00:00Z")), error: nil),
        Row(xml: "<int name='dimmer'/>", change: nil, error: "dimmer: no value"),
        Row(xml: "<int value='1'/>", change: nil, error: ": <int> has no name"),
        Row(xml: "<numeric name='t' value='1'/>", change: nil, error: "t: <numeric> is not an XEP-0325 parameter"),
    ]

    @Test(arguments: rows) func parameter(_ row: Row) throws {
        let element = try XMLElement(parsing: "<set xmlns='urn:xmpp:iot:control'>\(row.xml)</set>").elements[0]
        do {
            let change = try ControlXML.parameter(element)
            #expect(change == row.change)
            #expect(row.error == nil)
        } catch {
            #expect(error.description == row.error)
            #expect(error.kind == .invalidValue)
        }
    }

    @Test func nodeIDsAndSetResponse() throws {
        let set = try XMLElement(parsing: "<set xmlns='urn:xmpp:iot:control'><node nodeId='a'/><node nodeId='b'/><int name='x' value='1'/></set>")
        #expect(ControlXML.nodeIDs(in: set) == ["a", "b"])
        #expect(ControlXML.setResponse.serialized() == "<setResponse xmlns='urn:xmpp:iot:control'/>")
    }

    @Test(arguments: [
        (ControlError.Kind.unknownParameter, "<error type='cancel'><item-not-found"),
        (.invalidValue, "<error type='modify'><bad-request"),
        (.busy, "<error type='wait'><conflict"),
        (.failed, "<error type='wait'><internal-server-error"),
    ])
    func errorConditions(kind: ControlError.Kind, prefix: String) {
        let xml = ControlXML.stanzaError(ControlError("relay", kind, "why")).element.serialized(inheritedNamespace: Namespace.client)
        #expect(xml.hasPrefix(prefix))
        #expect(xml.hasSuffix("<paramError xmlns='urn:xmpp:iot:control' var='relay'>why</paramError></error>"))
    }
}
