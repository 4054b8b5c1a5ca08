import Readings
import Support
import Testing
import XEPs
import XMLStream
import XMPPCore
@testable import Fleet

@Suite struct ConsoleModelTests {
    static let device = try! JID("sensor-7@example.org/kinglet")
    static let node = "https://kinglet.invalid/caps"
    static let info = DiscoInfo(
        identities: [DiscoIdentity(category: "client", type: "bot", name: "sensor-7")],
        features: [DiscoInfo.namespace, SensorDataXML.namespace])

    static func presence(ver: String?, type: String? = nil, status: String? = "ok") -> XMLElement {
        var p = XMLElement("presence", namespace: Namespace.client)
        if let type { p.setAttribute("type", type) }
        if let status { p.append(XMLElement("status", text: status)) }
        if let ver { p.append(XMLElement("c", namespace: EntityCapabilities.namespace, attributes: ["hash": "sha-1", "node": node, "ver": ver])) }
        return p
    }

    @Test func capsAreResolvedOncePerVerAndOnlyCachedWhenTheHashMatches() {
        var directory = DeviceDirectory()
        let ver = EntityCapabilities(node: Self.node, info: Self.info).ver
        let other = try! JID("sensor-8@example.org/kinglet")
        directory.apply(Self.presence(ver: ver), from: Self.device, at: Timestamp(secondsSinceEpoch: 0))
        directory.apply(Self.presence(ver: ver), from: other, at: Timestamp(secondsSinceEpoch: 0))
        let due = directory.takeUnresolved()
        #expect(due.count == 1 && due[0].node == Self.node + "#" + ver)
        let again = directory.takeUnresolved()
        #expect(again.isEmpty)  // asked already
        let matched = directory.resolved(ver, jid: due[0].jid, node: due[0].node, info: Self.info)
        #expect(matched)
        #expect(directory.devices.map(\.jid) == [Self.device, other])
        #expect(directory.devices[0].name == "sensor-7" && directory.devices[0].online)

        // A forged answer (features that do not hash to the ver) is used for that JID only.
        var forged = DeviceDirectory()
        forged.apply(Self.presence(ver: "bogus="), from: Self.device, at: Timestamp(secondsSinceEpoch: 0))
        let ask = forged.takeUnresolved()[0]
        let forgedMatched = forged.resolved("bogus=", jid: ask.jid, node: ask.node, info: Self.info)
        #expect(!forgedMatched)
        #expect(forged.caps.isEmpty && forged.devices.count == 1)
    }

    @Test func aVerWhoseDiscoInfoFailedIsAskedOfAnotherJIDAtOnce() {
        var directory = DeviceDirectory()
        let ver = EntityCapabilities(node: Self.node, info: Self.info).ver
        let other = try! JID("sensor-8@example.org/kinglet")
        directory.apply(Self.presence(ver: ver), from: Self.device, at: Timestamp(secondsSinceEpoch: 0))
        directory.apply(Self.presence(ver: ver), from: other, at: Timestamp(secondsSinceEpoch: 0))
        let first = directory.takeUnresolved()[0]
        directory.unresolved(ver, asked: first.jid)
        let second = directory.takeUnresolved()
        #expect(second.map(\.jid) == [first.jid == other ? Self.device : other], "the other one, without a new presence")
        directory.unresolved(ver, asked: second[0].jid)
        #expect(directory.takeUnresolved().isEmpty, "both failed: nobody left to ask")
        directory.apply(Self.presence(ver: ver, status: "still ok"), from: first.jid, at: Timestamp(secondsSinceEpoch: 1))
        #expect(directory.takeUnresolved().map(\.jid) == [first.jid], "a new presence: asked again")
    }

    @Test func aContactThatIsNotADeviceIsNotListedAndOfflineIsTracked() {
        var directory = DeviceDirectory()
        let chat = DiscoInfo(identities: [DiscoIdentity(category: "client", type: "pc", name: "Gajim")], features: [DiscoInfo.namespace])
        let ver = EntityCapabilities(node: Self.node, info: chat).ver
        directory.apply(Self.presence(ver: ver), from: Self.device, at: Timestamp(secondsSinceEpoch: 0))
        let ask = directory.takeUnresolved()[0]
        directory.resolved(ver, jid: ask.jid, node: ask.node, info: chat)
        #expect(directory.devices.isEmpty)

        var devices = DeviceDirectory()
        let deviceVer = EntityCapabilities(node: Self.node, info: Self.info).ver
        devices.apply(Self.presence(ver: deviceVer), from: Self.device, at: Timestamp(secondsSinceEpoch: 0))
        let first = devices.takeUnresolved()[0]
        devices.resolved(deviceVer, jid: first.jid, node: first.node, info: Self.info)
        devices.apply(Self.presence(ver: nil, type: "unavailable", status: nil), from: Self.device.bare, at: Timestamp(secondsSinceEpoch: 5))
        #expect(devices.devices.map(\.online) == [false])
        #expect(devices.devices[0].lastChange == Timestamp(secondsSinceEpoch: 5))
    }

    @Test func readoutsTakeOnlyTheAskedDevicesAnswer() throws {
        var collector = ReadoutCollector()
        collector.started("7", to: Self.device)
        let reading = Reading(name: "temperature", value: .numeric(21.5, decimals: 1), unit: "°C", timestamp: Timestamp(secondsSinceEpoch: 0))
        func message(from: String, done: Bool) -> XMLElement {
            XMLElement("message", namespace: Namespace.client, attributes: ["from": from]) {
                SensorDataXML.fields([reading], nodeID: "simulated", seqnr: "7", done: done)
            }
        }
        let spoofed = collector.receive(message(from: "mallory@example.org/x", done: true))
        let partial = collector.receive(message(from: Self.device.description, done: false))
        #expect(spoofed == nil && partial == nil)
        let finished = collector.receive(message(from: Self.device.description, done: true))
        let (seqnr, result) = try #require(finished)
        #expect(seqnr == "7" && result.outcome == .ok && result.readings.map(\.name) == ["temperature", "temperature"])
        #expect(collector.count == 0)
    }

    @Test func theClientRequestsAreWhatTheDeviceReadsBack() throws {
        let req = ReadoutRequest(seqnr: "12", names: ["temperature", "relay"]).element
        let parsed = try ReadoutRequest(req)  // throws StanzaError
        #expect(parsed.seqnr == "12" && parsed.selection.names == ["temperature", "relay"])
        let set = ControlXML.set([ControlChange("relay", ControlXML.guessValue("on")), ControlChange("dimmer", ControlXML.guessValue("40"))])
        let params = try set.elements.map { element throws(ControlError) in try ControlXML.parameter(element) }
        #expect(params == [ControlChange("relay", .boolean(true)), ControlChange("dimmer", .int(40))])
        #expect(ControlXML.guessValue("21.5") == .double(21.5) && ControlXML.guessValue("auto") == .string("auto"))
    }

    @Test func notificationsCountOnlyFromTheAccountsWhoseNodesWeFollow() throws {
        func event(from: String) -> XMLElement {
            XMLElement("message", namespace: Namespace.client, attributes: ["from": from, "type": "headline"]) {
                XMLElement("event", namespace: PubSubXML.event) { XMLElement("items", attributes: ["node": SensorDataXML.namespace]) }
            }
        }
        let known: (JID) -> Bool = { $0 == Self.device.bare }
        #expect(FleetConsole.nodeOwner(of: event(from: "sensor-7@example.org"), known: known) == Self.device.bare)
        // ejabberd's last item for a returning subscriber: from the service, whose node unsaid.
        #expect(FleetConsole.nodeOwner(of: event(from: "pubsub.example.org"), known: known) == nil)
        #expect(FleetConsole.nodeOwner(of: event(from: "mallory@example.org"), known: known) == nil)
        #expect(FleetConsole.nodeOwner(of: event(from: "sensor-7@example.org/kinglet"), known: known) == nil)
        #expect(FleetConsole.nodeOwner(of: XMLElement("message", namespace: Namespace.client, attributes: ["from": "sensor-7@example.org"]), known: known) == nil)
    }
}
