import Readings
import Support
import Testing
import XMLStream
import XMPPCore
@testable import XEPs

/// XEP-0325 against the simulated device: validate everything, then apply in order.
@Suite(.serialized) struct ControlHandlerTests {
    private let ns = ControlXML.namespace

    @Test func setByIQAppliesInOrderAndAnswersSetResponse() async throws {
        let device = try await DeviceFixture()
        let handler = ControlHandler(device: device.device, nodeID: "simulated")
        let reply = await handler.handle(
            try iq("set", "<set xmlns='\(ns)'><boolean name='relay' value='true'/><int name='dimmer' value='40'/><string name='mode' value='manual'/></set>"),
            from: alice, role: .operator)
        #expect(reply.serialized() == "<iq xmlns='jabber:client' type='result' id='q1' to='\(alice)'><setResponse xmlns='\(ns)'/></iq>")
        #expect(await device.value(of: "relay") == "true")
        #expect(await device.value(of: "dimmer") == "40")
        #expect(await device.value(of: "mode") == "manual")
        await device.close()
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        let parameters: String
        let error: String
        var testDescription: String { parameters }
    }

    /// Each refused set leaves the relay (first in every request) untouched: nothing is applied
    /// unless everything is valid.
    static let refusals: [Refusal] = [
        Refusal(
            parameters: "<boolean name='relay' value='true'/><int name='dimmer' value='150'/>",
            error: "<error type='modify'><bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
                + "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' xml:lang='en'>dimmer: 150 is above the maximum 100</text>"
                + "<paramError xmlns='urn:xmpp:iot:control' var='dimmer'>150 is above the maximum 100</paramError></error>"),
        Refusal(
            parameters: "<boolean name='relay' value='true'/><boolean name='fan' value='true'/>",
            error: "<error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
                + "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' xml:lang='en'>fan: no control named 'fan'</text>"
                + "<paramError xmlns='urn:xmpp:iot:control' var='fan'>no control named 'fan'</paramError></error>"),
        Refusal(
            parameters: "<boolean name='relay' value='true'/><int name='dimmer' value='ten'/>",
            error: "<error type='modify'><bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
                + "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' xml:lang='en'>dimmer: 'ten' is not an integer</text>"
                + "<paramError xmlns='urn:xmpp:iot:control' var='dimmer'>'ten' is not an integer</paramError></error>"),
        Refusal(
            parameters: "<boolean name='relay' value='true'/><boolean name='dimmer' value='true'/>",
            error: "<error type='modify'><bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
                + "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' xml:lang='en'>dimmer: expects an integer</text>"
                + "<paramError xmlns='urn:xmpp:iot:control' var='dimmer'>expects an integer</paramError></error>"),
        Refusal(
            parameters: "<node nodeId='elsewhere'/><boolean name='relay' value='true'/>",
            error: "<error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
                + "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' xml:lang='en'>no node 'elsewhere'; this device is 'simulated'</text></error>"),
    ]

    @Test(arguments: refusals) func refusedSetNamesTheParameterAndAppliesNothing(_ row: Refusal) async throws {
        let device = try await DeviceFixture()
        let handler = ControlHandler(device: device.device, nodeID: "simulated")
        let reply = await handler.handle(try iq("set", "<set xmlns='\(ns)'>\(row.parameters)</set>"), from: alice, role: .operator)
        #expect(reply.stanzaType == "error")
        #expect(reply.child("error")?.serialized(inheritedNamespace: Namespace.client) == row.error)
        #expect(await device.value(of: "relay") == "false")
        await device.close()
    }

    @Test func submittedFormSetsOnlyItsFields() async throws {
        let device = try await DeviceFixture()
        let handler = ControlHandler(device: device.device, nodeID: "simulated")
        let form = """
            <x xmlns='jabber:x:data' type='submit'><field var='xdd session' type='hidden'><value>abc</value></field>\
            <field var='dimmer'><value>25</value></field><field var='relay'><value>1</value></field></x>
            """
        let reply = await handler.handle(try iq("set", "<set xmlns='\(ns)'>\(form)</set>"), from: alice, role: .operator)
        #expect(reply.payload?.name == "setResponse")
        #expect(await device.value(of: "dimmer") == "25")
        #expect(await device.value(of: "relay") == "true")
        #expect(await device.value(of: "mode") == "auto")
        await device.close()
    }

    @Test func getFormListsEveryControlWithLimitsAndCurrentValue() async throws {
        let device = try await DeviceFixture()
        _ = try await ControlApplier(device: device.device).apply([ControlChange("dimmer", .int(30))], by: "alice@kinglet.test")
        let handler = ControlHandler(device: device.device, nodeID: "simulated")
        let reply = await handler.handle(try iq("get", "<getForm xmlns='\(ns)'/>"), from: alice, role: .operator)
        let form = try #require(reply.payload.flatMap(DataForm.init))
        #expect(form.kind == .form)
        #expect(form.fields.map(\.variable) == ["xdd session", "relay", "dimmer", "status_led", "mode"])
        #expect(form.field("dimmer")?.element.serialized() == """
            <field xmlns='jabber:x:data' var='dimmer' type='text-single' label='Dimmer level'><desc>in %, 0 to 100</desc><value>30</value>\
            <validate xmlns='http://jabber.org/protocol/xdata-validate' datatype='xs:int'><range min='0' max='100'/></validate>\
            <notSame xmlns='urn:xmpp:xdata:dynamic'/></field>
            """)
        #expect(form.field("relay")?.type == .boolean && form.value("relay") == "false")
        #expect(form.field("mode")?.type == .listSingle && form.field("mode")?.options.map(\.value) == ["auto", "manual", "off"])
        #expect(form.fields.dropFirst().allSatisfy { $0.extensions.contains { $0.name == "notSame" } })
        await device.close()
    }

    @Test func setByMessageFromOperatorIsAppliedAndFromViewerIgnored() async throws {
        let device = try await DeviceFixture()
        let handler = ControlMessageHandler(device: device.device, nodeID: "simulated")
        let message = { (value: String) throws in
            try XMLElement(parsing: "<message from='\(alice)'><set xmlns='\(ns)'><boolean name='relay' value='\(value)'/></set></message>")
        }
        #expect(await handler.handle(try message("true"), from: alice, role: .viewer))
        #expect(await device.value(of: "relay") == "false")
        #expect(await handler.handle(try message("true"), from: alice, role: .operator))
        #expect(await device.value(of: "relay") == "true")
        #expect(await handler.handle(try message("maybe"), from: alice, role: .operator))
        #expect(await device.value(of: "relay") == "true")
        let chat = try XMLElement(parsing: "<message from='\(alice)' type='chat'><body>status</body></message>")
        #expect(await handler.handle(chat, from: alice, role: .operator) == false)
        await device.close()
    }

    @Test func applierChangeParsesTypedText() async throws {
        let device = try await DeviceFixture()
        let applier = ControlApplier(device: device.device)
        #expect(try applier.change("relay", text: "on") == ControlChange("relay", .boolean(true)))
        #expect(try applier.change("mode", text: "Manual") == ControlChange("mode", .enumeration("manual")))
        #expect(throws: ControlError("dimmer", .invalidValue, "-1 is below the minimum 0")) { try applier.change("dimmer", text: "-1") }
        #expect(throws: ControlError("fan", .unknownParameter, "no control named 'fan'")) { try applier.change("fan", text: "1") }
        await device.close()
    }
}
