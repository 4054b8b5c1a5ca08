import Devices
import Support
import Testing
import XMLStream
import XMPPCore
@testable import XEPs

/// Stanza shapes of disco#info and disco#items, exact XML, over a small device built in code.
@Suite struct DiscoHandlerTests {
    static let device = try! JID("dev@example.org/kinglet")
    static let alice = try! JID("alice@example.org/pc")

    static let profile = DeviceProfile(
        name: "test-board",
        sensors: [
            SensorDefinition(name: "serial_number", source: .constant("SN-1"), fieldType: .identity, valueType: .string, interval: nil),
            SensorDefinition(name: "temperature", source: .constant("21.5"), unit: "°C", description: "Outdoor temperature"),
        ],
        controls: [ControlDefinition(name: "relay", type: .boolean, target: .simulated, initial: .boolean(false))])

    /// A commands node provider like the one XEP-0050 brings: answers for its node only.
    struct Commands: DiscoNodeProvider {
        func discoInfo(node: String, for requester: JID, role: Role) async -> (identities: [DiscoIdentity], features: [String])? {
            node == DiscoHandler.commandsNode ? ([DiscoIdentity(category: "automation", type: "command-list")], [DiscoInfo.namespace]) : nil
        }
        func discoItems(node: String, for requester: JID, role: Role) async -> [DiscoItem]? {
            node == DiscoHandler.commandsNode ? [DiscoItem(jid: DiscoHandlerTests.device, node: "read", name: "Read sensors")] : nil
        }
    }

    /// Stands for the XEP-0050 handler: only its feature matters here.
    struct CommandsFeature: IQHandler {
        var payloadNamespaces: Set<String> { [DiscoHandler.commandsNode] }
        func requiredRole(for iq: XMLElement) -> Role { .viewer }
        func handle(_ iq: XMLElement, from: JID, role: Role) async -> XMLElement { iq.iqResult() }
    }

    static func handler(commands: Bool = false) async -> (DiscoHandler, DeviceDiscoInfo) {
        let device = Device(profile: profile)
        await device.refresh()
        var handlers: [any IQHandler] = [PingHandler(), VersionHandler(operatingSystem: nil)]
        if commands { handlers.append(CommandsFeature()) }
        let info = DeviceDiscoInfo(
            name: "Test device", handlers: handlers, device: device, operatingSystem: OperatingSystem(name: "Linux", version: "6.1.0"))
        let handler = DiscoHandler(
            device: info, sensors: SensorNodes(device: device, features: info.features), providers: commands ? [Commands()] : [],
            ownJID: { DiscoHandlerTests.device })
        return (handler, info)
    }

    static func request(_ namespace: String, node: String? = nil) -> XMLElement {
        var query = XMLElement("query", namespace: namespace)
        if let node { query.setAttribute("node", node) }
        var iq = XMLElement("iq", namespace: Namespace.client, attributes: ["type": "get", "id": "d1", "from": alice.description, "to": device.description])
        iq.append(query)
        return iq
    }

    static let rootInfo = """
        <iq xmlns='jabber:client' type='result' id='d1' to='alice@example.org/pc'>\
        <query xmlns='http://jabber.org/protocol/disco#info'>\
        <identity category='client' type='bot' name='Test device'/>\
        <feature var='http://jabber.org/protocol/caps'/>\
        <feature var='http://jabber.org/protocol/disco#info'/>\
        <feature var='http://jabber.org/protocol/disco#items'/>\
        <feature var='jabber:iq:version'/>\
        <feature var='jabber:x:data'/>\
        <feature var='urn:xmpp:ping'/>\
        <x xmlns='jabber:x:data' type='result'>\
        <field var='FORM_TYPE' type='hidden'><value>urn:xmpp:dataforms:softwareinfo</value></field>\
        <field var='os'><value>Linux</value></field>\
        <field var='os_version'><value>6.1.0</value></field>\
        <field var='software'><value>Kinglet</value></field>\
        <field var='software_version'><value>\(KingletVersion.string)</value></field>\
        </x>\
        <x xmlns='jabber:x:data' type='result'>\
        <field var='FORM_TYPE' type='hidden'><value>https://kinglet.invalid/device</value></field>\
        <field var='profile' label='Device profile'><value>test-board</value></field>\
        <field var='serial_number'><value>SN-1</value></field>\
        </x>\
        </query></iq>
        """

    @Test func infoWithoutNode() async {
        let (handler, _) = await Self.handler()
        let reply = await handler.handle(Self.request(DiscoInfo.namespace), from: Self.alice, role: .viewer)
        #expect(reply.serialized() == Self.rootInfo)
    }

    @Test func infoOfTheCapsNodeMirrorsTheNodeAndMatchesTheVer() async throws {
        let (handler, info) = await Self.handler()
        let caps = await info.capabilities()
        let reply = await handler.handle(Self.request(DiscoInfo.namespace, node: caps.discoNode), from: Self.alice, role: .viewer)
        let query = try #require(reply.payload)
        #expect(query.attribute("node") == caps.discoNode)
        let parsed = try #require(DiscoInfo(query))
        #expect(EntityCapabilities(node: caps.node, info: parsed).ver == caps.ver)
        #expect(parsed == (await info.current()))
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var namespace: String
        var node: String?
        var commands = false
        var expected: String
        var testDescription: String { "\(namespace.split(separator: "#").last ?? "") \(node ?? "(root)")" }
    }

    static let cases = [
        Case(
            namespace: DiscoItems.namespace, node: nil,
            expected: "<query xmlns='http://jabber.org/protocol/disco#items'>"
                + "<item jid='dev@example.org/kinglet' node='sensor/serial_number' name='serial_number'/>"
                + "<item jid='dev@example.org/kinglet' node='sensor/temperature' name='Outdoor temperature (°C)'/>"
                + "<item jid='dev@example.org/kinglet' node='control/relay' name='relay'/></query>"),
        Case(
            namespace: DiscoItems.namespace, node: nil, commands: true,
            expected: "<query xmlns='http://jabber.org/protocol/disco#items'>"
                + "<item jid='dev@example.org/kinglet' node='sensor/serial_number' name='serial_number'/>"
                + "<item jid='dev@example.org/kinglet' node='sensor/temperature' name='Outdoor temperature (°C)'/>"
                + "<item jid='dev@example.org/kinglet' node='control/relay' name='relay'/>"
                + "<item jid='dev@example.org/kinglet' node='http://jabber.org/protocol/commands' name='Commands'/></query>"),
        Case(
            namespace: DiscoInfo.namespace, node: "sensor/temperature",
            expected: "<query xmlns='http://jabber.org/protocol/disco#info' node='sensor/temperature'>"
                + "<identity category='hierarchy' type='leaf' name='temperature'/>"
                + "<feature var='http://jabber.org/protocol/disco#info'/></query>"),
        Case(
            namespace: DiscoItems.namespace, node: "control/relay",
            expected: "<query xmlns='http://jabber.org/protocol/disco#items' node='control/relay'/>"),
        Case(
            namespace: DiscoInfo.namespace, node: DiscoHandler.commandsNode, commands: true,
            expected: "<query xmlns='http://jabber.org/protocol/disco#info' node='http://jabber.org/protocol/commands'>"
                + "<identity category='automation' type='command-list'/>"
                + "<feature var='http://jabber.org/protocol/disco#info'/></query>"),
        Case(
            namespace: DiscoItems.namespace, node: DiscoHandler.commandsNode, commands: true,
            expected: "<query xmlns='http://jabber.org/protocol/disco#items' node='http://jabber.org/protocol/commands'>"
                + "<item jid='dev@example.org/kinglet' node='read' name='Read sensors'/></query>"),
    ]

    @Test(arguments: cases) func shapes(_ c: Case) async throws {
        let (handler, _) = await Self.handler(commands: c.commands)
        let reply = await handler.handle(Self.request(c.namespace, node: c.node), from: Self.alice, role: .viewer)
        #expect(reply.stanzaType == "result")
        #expect(try #require(reply.payload).serialized() == c.expected)
    }

    @Test(arguments: [
        (DiscoInfo.namespace, "sensor/nope"), (DiscoInfo.namespace, "https://kinglet.invalid/caps#stale"),
        (DiscoItems.namespace, "elsewhere"), (DiscoInfo.namespace, DiscoHandler.commandsNode),
    ])
    func unknownNodesAreItemNotFound(namespace: String, node: String) async {
        let (handler, _) = await Self.handler()
        let reply = await handler.handle(Self.request(namespace, node: node), from: Self.alice, role: .viewer)
        #expect(reply.serialized() == """
            <iq xmlns='jabber:client' type='error' id='d1' to='alice@example.org/pc'><error type='cancel'>\
            <item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>
            """)
    }

    @Test func readableByViewersOnly() async {
        let (handler, _) = await Self.handler()
        #expect(handler.requiredRole(for: Self.request(DiscoInfo.namespace)) == .viewer)
        #expect(handler.payloadNamespaces == [DiscoInfo.namespace, DiscoItems.namespace])
    }

    @Test func advertisedFeaturesComeFromTheHandlers() async {
        let (_, plain) = await Self.handler()
        let (_, withCommands) = await Self.handler(commands: true)
        #expect(!plain.advertises(DiscoHandler.commandsNode))
        #expect(withCommands.advertises(DiscoHandler.commandsNode))
        #expect(Set(withCommands.features).subtracting(plain.features) == [DiscoHandler.commandsNode])
    }
}
