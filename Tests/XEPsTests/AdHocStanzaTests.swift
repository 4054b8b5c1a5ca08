import Testing
import XMLStream
import XMPPCore

@testable import XEPs

/// Exact XML of the XEP-0050 shapes, apart from behaviour.
@Suite struct AdHocStanzaTests {
    static let ns = "http://jabber.org/protocol/commands"

    @Test(arguments: [
        (
            CommandResponse(node: "n", sessionID: "s1", status: .completed, notes: [.info("Done")]),
            "<command xmlns='\(ns)' node='n' sessionid='s1' status='completed'><note type='info'>Done</note></command>"
        ),
        (
            CommandResponse(node: "n", sessionID: "s1", status: .canceled),
            "<command xmlns='\(ns)' node='n' sessionid='s1' status='canceled'/>"
        ),
        (
            CommandResponse(
                node: "n", sessionID: "s2", status: .executing,
                actions: CommandActions(allowed: [.complete, .prev], execute: .complete), notes: [.error("bad")],
                form: DataForm(.form, title: "T")),
            "<command xmlns='\(ns)' node='n' sessionid='s2' status='executing'><actions execute='complete'><prev/><complete/></actions>"
                + "<note type='error'>bad</note><x xmlns='jabber:x:data' type='form'><title>T</title></x></command>"
        ),
    ])
    func responses(response: CommandResponse, xml: String) {
        #expect(response.element.serialized() == xml)
    }

    @Test(arguments: [
        ("<command xmlns='\(ns)' node='read-sensors'/>", CommandRequest(node: "read-sensors")),
        ("<command xmlns='\(ns)' node='n' action='execute'/>", CommandRequest(node: "n", action: .execute)),
        ("<command xmlns='\(ns)' node='n' sessionid='abc' action='prev'/>", CommandRequest(node: "n", sessionID: "abc", action: .prev)),
        ("<command xmlns='\(ns)' node='n' sessionid='' action='cancel'/>", CommandRequest(node: "n", action: .cancel)),
        (
            "<command xmlns='\(ns)' node='n' sessionid='s'><x xmlns='jabber:x:data' type='submit'><field var='a'><value>1</value></field></x></command>",
            CommandRequest(node: "n", sessionID: "s", form: DataForm(.submit, fields: [DataFormField("a", values: ["1"])]))
        ),
    ])
    func requests(xml: String, expected: CommandRequest) throws {
        #expect(try CommandRequest(parsing: XMLElement(parsing: xml)) == expected)
    }

    @Test(arguments: [
        ("<command xmlns='\(ns)' node='n' action='jump'/>", "bad-request", "malformed-action"),
        ("<command xmlns='\(ns)'/>", "bad-request", nil),
        ("<query xmlns='\(ns)' node='n'/>", "bad-request", nil),
    ])
    func malformedRequests(xml: String, condition: String, application: String?) throws {
        let element = try XMLElement(parsing: xml)
        #expect {
            try CommandRequest(parsing: element)
        } throws: { error in
            let error = error as! StanzaError
            return error.condition.rawValue == condition && error.application?.name == application
        }
    }

    @Test(arguments: [
        (AdHoc.Condition.badSessionID, "<error type='modify'><bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><bad-sessionid xmlns='\(ns)'/></error>"),
        (AdHoc.Condition.sessionExpired, "<error type='cancel'><not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><session-expired xmlns='\(ns)'/></error>"),
        (AdHoc.Condition.badAction, "<error type='modify'><bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><bad-action xmlns='\(ns)'/></error>"),
    ])
    func errors(condition: AdHoc.Condition, xml: String) {
        #expect(condition.error().element.serialized(inheritedNamespace: "jabber:client") == xml)
    }

    /// The fields of "Set a control": from the XEP-0325 control form (`ControlForm.field`), named
    /// after the control, labelled for people with the current value, without `notSame`, every
    /// option labelled.
    @Test(arguments: [
        (
            "relay",
            "<field xmlns='jabber:x:data' var='relay' type='boolean' label='relay (Relay output)'><desc>current value: off; must be on or off</desc><value>false</value>"
                + "<validate xmlns='http://jabber.org/protocol/xdata-validate' datatype='xs:boolean'/></field>"
        ),
        (
            "dimmer",
            "<field xmlns='jabber:x:data' var='dimmer' type='text-single' label='dimmer'><desc>current value: 0 %; must be a whole number between 0 and 100 %</desc><value>0</value>"
                + "<validate xmlns='http://jabber.org/protocol/xdata-validate' datatype='xs:int'><range min='0' max='100'/></validate></field>"
        ),
        (
            "setpoint",
            "<field xmlns='jabber:x:data' var='setpoint' type='text-single' label='setpoint'><desc>current value: 20.0 °C; must be a number between 5 and 30 °C</desc><value>20.0</value>"
                + "<validate xmlns='http://jabber.org/protocol/xdata-validate' datatype='xs:double'><range min='5' max='30'/></validate></field>"
        ),
        (
            "mode",
            "<field xmlns='jabber:x:data' var='mode' type='list-single' label='mode'><desc>current value: auto; must be one of auto, manual, off</desc><value>auto</value>"
                + "<option label='auto'><value>auto</value></option><option label='manual'><value>manual</value></option><option label='off'><value>off</value></option>"
                + "<validate xmlns='http://jabber.org/protocol/xdata-validate' datatype='xs:string'/></field>"
        ),
    ])
    func valueFields(name: String, xml: String) async throws {
        let fixture = try await CommandFixture.make()
        let form = await SetControlCommand(services: fixture.services).form(stage: 0, submitted: [nil])
        #expect(form.fields.first?.variable == "controls")
        #expect(form.field(name)?.element.serialized() == xml)
    }
}
