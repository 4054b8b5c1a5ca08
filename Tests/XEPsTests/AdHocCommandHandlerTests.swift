import Testing
import XMLStream
import XMPPCore

@testable import XEPs

/// Ad-hoc command sessions driven through the handler, against a simulated device.
@Suite struct AdHocCommandHandlerTests {
    let fixture: CommandFixture
    let lifecycle = LifecycleSpy()
    let handler: AdHocCommandHandler

    init() async throws {
        fixture = try await CommandFixture.make()
        handler = AdHocCommandHandler(
            services: fixture.services, lifecycle: lifecycle, sessionLifetime: .seconds(300), ownJID: { device })
    }

    /// Sends a `<command/>` as `from` and returns the reply.
    /// `ticked`: the controls chosen in "Set a control" (a list-multi field, several values).
    func send(
        _ node: String, session: String? = nil, action: String? = nil, fields: [String: String]? = nil,
        ticked: [String]? = nil, from: JID = alice, role: Role = .operator
    ) async -> XMLElement {
        var command = XMLElement("command", namespace: AdHoc.namespace, attributes: ["node": node])
        if let session { command.setAttribute("sessionid", session) }
        if let action { command.setAttribute("action", action) }
        if fields != nil || ticked != nil {
            var submitted = (fields ?? [:]).sorted { $0.key < $1.key }.map { DataFormField($0.key, values: [$0.value]) }
            if let ticked { submitted.insert(DataFormField("controls", values: ticked), at: 0) }
            command.append(DataForm(.submit, fields: submitted).element)
        }
        let iq = XMLElement("iq", namespace: Namespace.client, attributes: ["type": "set", "id": "q1", "from": from.description]) {
            command
        }
        return await handler.handle(iq, from: from, role: role)
    }

    func command(_ reply: XMLElement) throws -> XMLElement {
        try #require(reply.child("command", namespace: AdHoc.namespace), "\(reply.serialized())")
    }

    func form(_ reply: XMLElement) throws -> DataForm {
        let x = try #require(try command(reply).child("x", namespace: DataForm.namespace))
        return try #require(DataForm(x))
    }

    func errorApplication(_ reply: XMLElement) -> String? {
        StanzaError(stanza: reply)?.application?.name
    }

    @Test func readSensorsShowsAFormThenTheReadings() async throws {
        let first = await send("read-sensors")
        let started = try command(first)
        #expect(started.attribute("status") == "executing")
        let id = try #require(started.attribute("sessionid"))
        #expect(started.child("actions")?.attribute("execute") == "complete")
        let picker = try form(first)
        #expect(picker.field("sensors")?.type == .listMulti)
        #expect(picker.field("sensors")?.options.map(\.value) == ["serial_number", "temperature", "relay", "dimmer", "mode", "setpoint"])
        #expect(picker.field("types")?.options.map(\.value) == ["momentary", "status", "identity"])

        let done = await send("read-sensors", session: id, action: "complete", fields: ["sensors": "temperature"])
        #expect(try command(done).attribute("status") == "completed")
        let result = try form(done)
        #expect(result.kind == .result)
        #expect(result.fields.compactMap(\.variable) == ["temperature"])
        #expect(result.value("temperature") == "21.50 °C")
        #expect(handler.openSessions == 0)
    }

    @Test func readingEverythingAndByType() async throws {
        let id = try #require(try command(await send("read-sensors")).attribute("sessionid"))
        let all = try form(await send("read-sensors", session: id, fields: [:]))
        #expect(all.fields.compactMap(\.variable).count == 6)
        #expect(all.value("relay") == "off")
        let id2 = try #require(try command(await send("read-sensors")).attribute("sessionid"))
        let status = try form(await send("read-sensors", session: id2, fields: ["types": "identity"]))
        #expect(status.fields.compactMap(\.variable) == ["serial_number"])
        #expect(status.value("serial_number") == "SN-1")
    }

    /// One page (Psi 1.5 drops every reply after a form's first page): the controls to tick,
    /// then a field per control holding its current value, labelled and limited.
    @Test func setAControlOnOnePage() async throws {
        let first = await send("set-control")
        let id = try #require(try command(first).attribute("sessionid"))
        #expect(try command(first).child("actions")?.elements.map(\.name) == ["complete"])
        let page = try form(first)
        #expect(page.fields.compactMap(\.variable) == ["controls", "relay", "dimmer", "mode", "setpoint"])
        let chooser = try #require(page.field("controls"))
        #expect(chooser.type == .listMulti && chooser.required)
        #expect(chooser.options.map(\.value) == ["relay", "dimmer", "mode", "setpoint"])
        #expect(chooser.options.map(\.label) == ["relay (Relay output)", "dimmer", "mode", "setpoint"])
        let dimmer = try #require(page.field("dimmer"))
        #expect(dimmer.type == .textSingle && dimmer.values == ["0"])
        #expect(dimmer.description == "current value: 0 %; must be a whole number between 0 and 100 %")
        #expect(dimmer.extensions.map(\.name) == ["validate"], "no notSame: every field is submitted")
        #expect(page.field("mode")?.options.map(\.label) == ["auto", "manual", "off"], "every option has a label")

        // The relay's checkbox is submitted too, but only what is ticked is set.
        let done = await send("set-control", session: id, fields: ["relay": "1", "dimmer": "42"], ticked: ["dimmer"])
        #expect(try command(done).attribute("status") == "completed")
        #expect(try command(done).child("note")?.text == "dimmer is now 42 %.")
        #expect(await fixture.shown("dimmer") == "42 %")
        #expect(await fixture.shown("relay") == "off")
    }

    @Test func severalControlsAtOnceInProfileOrder() async throws {
        let id = try #require(try command(await send("set-control")).attribute("sessionid"))
        let done = await send("set-control", session: id, fields: ["relay": "true", "dimmer": "40", "mode": "manual"], ticked: ["mode", "dimmer", "relay"])
        #expect(try command(done).attribute("status") == "completed")
        #expect(try command(done).child("note")?.text == "relay is now on, dimmer is now 40 %, mode is now manual.")
        #expect(await fixture.shown("relay") == "on")
        #expect(await fixture.shown("dimmer") == "40 %")
        #expect(await fixture.shown("mode") == "manual")
    }

    @Test func aValueThatDoesNotFitShowsTheFormAgainWithTheReasonAndNothingIsSet() async throws {
        let id = try #require(try command(await send("set-control")).attribute("sessionid"))
        let retry = await send("set-control", session: id, fields: ["relay": "1", "dimmer": "150", "mode": "turbo"], ticked: ["relay", "dimmer", "mode"])
        let reply = try command(retry)
        #expect(reply.attribute("status") == "executing")
        #expect(reply.child("note")?.attribute("type") == "error")
        #expect(reply.child("note")?.text
            == "dimmer must be a whole number between 0 and 100 %, not 150; mode must be one of auto, manual, off, not 'turbo'; nothing was set")
        #expect(try form(retry).field("dimmer")?.values == ["150"], "what was typed stays, to correct it")
        #expect(try form(retry).field("controls")?.values == ["relay", "dimmer", "mode"])
        #expect(await fixture.shown("relay") == "off", "validated together: the good value waits for the bad ones")
        let fixed = await send("set-control", session: id, fields: ["relay": "1", "dimmer": "100", "mode": "off"], ticked: ["relay", "dimmer", "mode"])
        #expect(try command(fixed).attribute("status") == "completed")
        #expect(await fixture.shown("relay") == "on")
        #expect(await fixture.shown("dimmer") == "100 %")
    }

    @Test func nothingTickedAsksForAChoice() async throws {
        let id = try #require(try command(await send("set-control")).attribute("sessionid"))
        let retry = await send("set-control", session: id, fields: ["dimmer": "5"])
        #expect(try command(retry).attribute("status") == "executing")
        #expect(try command(retry).child("note")?.text == "Tick the controls to set in “Controls to set”.")
        let empty = await send("set-control", session: id, fields: ["dimmer": " "], ticked: ["dimmer"])
        #expect(try command(empty).child("note")?.text == "Enter a value for dimmer.")
    }

    @Test func cancelIsAnsweredWithCanceledAndEndsTheSession() async throws {
        let id = try #require(try command(await send("set-control")).attribute("sessionid"))
        let canceled = await send("set-control", session: id, action: "cancel")
        #expect(try command(canceled).attribute("status") == "canceled")
        #expect(try command(canceled).attribute("sessionid") == id)
        #expect(handler.openSessions == 0)
        #expect(errorApplication(await send("set-control", session: id, fields: ["control": "relay"])) == "bad-sessionid")
    }

    @Test func expiredSessionsAreRefusedAsExpired() async throws {
        let id = try #require(try command(await send("set-control")).attribute("sessionid"))
        fixture.clock.advance(by: .seconds(301))
        let late = await send("set-control", session: id, fields: ["control": "relay"])
        #expect(StanzaError(stanza: late)?.condition == .notAllowed)
        #expect(errorApplication(late) == "session-expired")
        let canceled = await send("set-control", session: id, action: "cancel")
        #expect(try command(canceled).attribute("status") == "canceled", "cancel is always allowed, even just after expiry")
        #expect(errorApplication(await send("set-control", session: "never", action: "cancel")) == "bad-sessionid")
    }

    @Test func protocolErrors() async throws {
        let id = try #require(try command(await send("set-control")).attribute("sessionid"))
        #expect(errorApplication(await send("set-control", session: id, action: "prev")) == "bad-action")
        #expect(errorApplication(await send("set-control", session: id, action: "next")) == "bad-action", "one page: no next")
        #expect(errorApplication(await send("set-control", session: id, action: "fly")) == "malformed-action")
        #expect(errorApplication(await send("set-control", session: "nope", fields: [:])) == "bad-sessionid")
        #expect(errorApplication(await send("set-control", action: "next")) == "bad-sessionid", "next needs a session")
        #expect(errorApplication(await send("set-control", session: id, fields: ["control": "relay"], from: bob)) == "bad-sessionid")
        #expect(StanzaError(stanza: await send("no-such-command"))?.condition == .itemNotFound)
        let picked = await send("set-control", session: id, ticked: ["toaster"])
        #expect(try command(picked).child("note")?.text == "There is no control named 'toaster'.")
    }

    @Test func deviceInformationCompletesAtOnce() async throws {
        fixture.clock.advance(by: .seconds(125))
        let reply = await send("device-info", role: .viewer)
        #expect(try command(reply).attribute("status") == "completed")
        #expect(try command(reply).attribute("sessionid")?.isEmpty == false)
        let info = try form(reply)
        #expect(info.value("serial_number") == "SN-1")
        #expect(info.value("kinglet-uptime") == "2m 5s")
        #expect(info.value("kinglet-health") == "1 sensor, 4 controls OK", "the serial number is an identity field, no sensor")
        #expect(info.value("kinglet-last-disconnect") == nil, "no session here")
        #expect(info.value("kinglet-version")?.hasPrefix("Kinglet ") == true)
        #expect(handler.openSessions == 0)
    }

    @Test func whoSetAControlShowsInDeviceInformationAndTheRestartFormSaysWhatOutputsDo() async throws {
        _ = await fixture.services.set([SetRequest(try fixture.control("relay"), "on")], by: "alice@example.org")
        let info = try form(await send("device-info", role: .viewer))
        let lastSet = try #require(info.field("kinglet-last-set"))
        #expect(lastSet.type == .textMulti && lastSet.label == "Controls last set")
        #expect(lastSet.values == ["relay: on, by alice@example.org at \(fixture.clock.wallTime().xsDateTime)"])
        let restart = try form(await send("restart-agent"))
        #expect(restart.instructions?.hasSuffix(
            "Outputs after the restart: relay back to on (as alice@example.org set it), dimmer to its initial value 0 %, "
                + "mode to its initial value auto, setpoint to its initial value 20.0 °C.") == true, "\(restart.instructions ?? "")")
    }

    @Test func restartNeedsConfirmation() async throws {
        let id = try #require(try command(await send("restart-agent")).attribute("sessionid"))
        let declined = await send("restart-agent", session: id, fields: ["confirm": "0"])
        #expect(try command(declined).child("note")?.text == "Not restarted.")
        #expect(lifecycle.requesters.isEmpty)
        let id2 = try #require(try command(await send("restart-agent")).attribute("sessionid"))
        let confirmed = await send("restart-agent", session: id2, action: "complete", fields: ["confirm": "true"])
        #expect(try command(confirmed).attribute("status") == "completed")
        #expect(lifecycle.requesters == [alice])
    }

    @Test(arguments: [
        ("read-sensors", Role.viewer), ("device-info", .viewer), ("set-control", .operator), ("restart-agent", .operator),
        ("unknown", .viewer),
    ])
    func requiredRoles(node: String, role: Role) throws {
        let iq = try XMLElement(parsing: "<iq type='set'><command xmlns='\(AdHoc.namespace)' node='\(node)'/></iq>")
        #expect(handler.requiredRole(for: iq) == role)
    }

    @Test func aViewerIsRefusedEvenIfTheRouterWereNot() async throws {
        #expect(StanzaError(stanza: await send("set-control", from: bob, role: .viewer))?.condition == .forbidden)
    }

    @Test func discoListsWhatTheRoleMayRun() async throws {
        let forViewer = try #require(await handler.discoItems(node: AdHoc.namespace, for: bob, role: .viewer))
        #expect(forViewer == [
            DiscoItem(jid: device, node: "read-sensors", name: "Read sensors"),
            DiscoItem(jid: device, node: "device-info", name: "Device information"),
        ])
        let forOperator = try #require(await handler.discoItems(node: AdHoc.namespace, for: alice, role: .operator))
        #expect(forOperator.compactMap(\.node) == ["read-sensors", "set-control", "device-info", "restart-agent"])
        #expect(await handler.discoItems(node: "other", for: alice, role: .operator) == nil)

        let info = try #require(await handler.discoInfo(node: "set-control", for: alice, role: .operator))
        #expect(info.identities == [DiscoIdentity(category: "automation", type: "command-node", name: "Set a control")])
        #expect(info.features == ["http://jabber.org/protocol/disco#info", AdHoc.namespace, "jabber:x:data"])
        #expect(await handler.discoInfo(node: "set-control", for: bob, role: .viewer) == nil)
        let list = try #require(await handler.discoInfo(node: AdHoc.namespace, for: bob, role: .viewer))
        #expect(list.identities.map(\.type) == ["command-list"])
        #expect(list.features == ["http://jabber.org/protocol/disco#info", AdHoc.namespace])
    }
}
