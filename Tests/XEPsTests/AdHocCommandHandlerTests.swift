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
    func send(
        _ node: String, session: String? = nil, action: String? = nil, fields: [String: String]? = nil,
        from: JID = alice, role: Role = .operator
    ) async -> XMLElement {
        var command = XMLElement("command", namespace: AdHoc.namespace, attributes: ["node": node])
        if let session { command.setAttribute("sessionid", session) }
        if let action { command.setAttribute("action", action) }
        if let fields {
            let form = DataForm(.submit, fields: fields.sorted { $0.key < $1.key }.map { DataFormField($0.key, values: [$0.value]) })
            command.append(form.element)
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

    @Test func setAControlInTwoStages() async throws {
        let first = await send("set-control")
        let id = try #require(try command(first).attribute("sessionid"))
        #expect(try form(first).field("control")?.options.map(\.value) == ["relay", "dimmer", "mode", "setpoint"])
        #expect(try command(first).child("actions")?.elements.map(\.name) == ["next"])

        let second = await send("set-control", session: id, action: "next", fields: ["control": "dimmer"])
        #expect(try command(second).child("actions")?.elements.map(\.name) == ["prev", "complete"])
        let valueField = try #require(try form(second).field("dimmer"))
        #expect(valueField.type == .textSingle)
        #expect(valueField.values == ["0"])
        #expect(valueField.extensions.first?.child("range")?.attribute("max") == "100")

        let done = await send("set-control", session: id, action: "complete", fields: ["dimmer": "42"])
        #expect(try command(done).attribute("status") == "completed")
        #expect(try command(done).child("note")?.text == "dimmer is now 42 %.")
        #expect(await fixture.shown("dimmer") == "42 %")
    }

    @Test func aValueThatDoesNotFitShowsTheFormAgainWithTheReason() async throws {
        let id = try #require(try command(await send("set-control")).attribute("sessionid"))
        _ = await send("set-control", session: id, fields: ["control": "dimmer"])
        let retry = await send("set-control", session: id, fields: ["dimmer": "150"])
        let reply = try command(retry)
        #expect(reply.attribute("status") == "executing")
        #expect(reply.child("note")?.attribute("type") == "error")
        #expect(reply.child("note")?.text == "dimmer must be a whole number between 0 and 100 %, not 150")
        #expect(try form(retry).field("dimmer")?.values == ["150"], "what was typed stays, to correct it")
        #expect(await fixture.shown("dimmer") == "0 %")
        let fixed = await send("set-control", session: id, fields: ["dimmer": "100"])
        #expect(try command(fixed).attribute("status") == "completed")
    }

    @Test func prevReturnsToThePickerWithTheChoiceKept() async throws {
        let id = try #require(try command(await send("set-control")).attribute("sessionid"))
        _ = await send("set-control", session: id, fields: ["control": "mode"])
        let back = await send("set-control", session: id, action: "prev")
        #expect(try form(back).field("control")?.values == ["mode"])
        let again = await send("set-control", session: id, action: "next", fields: ["control": "relay"])
        #expect(try form(again).field("relay")?.type == .boolean)
        _ = await send("set-control", session: id, action: "complete", fields: ["relay": "1"])
        #expect(await fixture.shown("relay") == "on")
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
        #expect(errorApplication(await send("set-control", session: id, action: "next")) == "bad-payload")
        #expect(errorApplication(await send("set-control", session: id, action: "fly")) == "malformed-action")
        #expect(errorApplication(await send("set-control", session: "nope", fields: [:])) == "bad-sessionid")
        #expect(errorApplication(await send("set-control", action: "next")) == "bad-sessionid", "next needs a session")
        #expect(errorApplication(await send("set-control", session: id, fields: ["control": "relay"], from: bob)) == "bad-sessionid")
        #expect(StanzaError(stanza: await send("no-such-command"))?.condition == .itemNotFound)
        let picked = await send("set-control", session: id, fields: ["control": "toaster"])
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
        #expect(info.value("kinglet-health") == "2 sensors, 4 controls OK")
        #expect(info.value("kinglet-version")?.hasPrefix("Kinglet ") == true)
        #expect(handler.openSessions == 0)
    }

    @Test func whoSetAControlShowsInDeviceInformationAndTheRestartFormSaysWhatOutputsDo() async throws {
        _ = await fixture.services.set(try fixture.control("relay"), to: "on", by: "alice@example.org")
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
