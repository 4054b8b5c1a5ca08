import Support
import Testing
import XMLStream
import XMPPCore
@testable import XEPs

/// XEP-0092, XEP-0012, roster pushes and the reply throttle.
@Suite struct SmallHandlerTests {
    static let alice = try! JID("alice@example.org/pc")
    static let account = try! JID("dev@example.org")

    static func iq(_ type: String, _ payload: XMLElement, from: String? = "alice@example.org/pc") -> XMLElement {
        var iq = XMLElement("iq", namespace: Namespace.client, attributes: ["type": type, "id": "q1"])
        if let from { iq.setAttribute("from", from) }
        iq.append(payload)
        return iq
    }

    @Test(arguments: [
        (OperatingSystem(name: "Linux", version: "6.1.0-rpi7"), "<os>Linux 6.1.0-rpi7</os>"),
        (nil, ""),
    ] as [(OperatingSystem?, String)])
    func versionAnswer(os: OperatingSystem?, osElement: String) async {
        let handler = VersionHandler(operatingSystem: os)
        let reply = await handler.handle(Self.iq("get", XMLElement("query", namespace: "jabber:iq:version")), from: Self.alice, role: .viewer)
        #expect(reply.serialized() == """
            <iq xmlns='jabber:client' type='result' id='q1' to='alice@example.org/pc'><query xmlns='jabber:iq:version'>\
            <name>Kinglet</name><version>\(KingletVersion.string)</version>\(osElement)</query></iq>
            """)
    }

    @Test func operatingSystemOfThisHost() {
        let os = OperatingSystem.current()
        #expect(os.name == "Linux")
        #expect(!os.version.isEmpty)
    }

    @Test func lastActivityIsTheIdleTimeSinceTheLastCommand() async {
        let clock = ManualClock()
        let activity = ActivityClock(clock: clock)
        let handler = LastActivityHandler(activity: activity)
        let query = Self.iq("get", XMLElement("query", namespace: "jabber:iq:last"))
        func seconds() async -> String? { await handler.handle(query, from: Self.alice, role: .viewer).payload?.attribute("seconds") }
        #expect(await seconds() == "0")
        clock.advance(by: .milliseconds(90_500))
        #expect(await seconds() == "90")
        activity.record()
        clock.advance(by: .seconds(3))
        #expect(await seconds() == "3")
        let set = await handler.handle(Self.iq("set", XMLElement("query", namespace: "jabber:iq:last")), from: Self.alice, role: .operator)
        #expect(StanzaError(stanza: set)?.condition == .badRequest)
    }

    static func push(_ item: String) -> XMLElement {
        XMLElement("query", namespace: Namespace.roster, children: [.element(try! XMLElement(parsing: item))])
    }

    @Test func rosterPushesFromOurServerUpdateTheRoster() async {
        let roster = Roster()
        let handler = RosterPushHandler(roster: roster, account: Self.account)
        let item = "<item xmlns='jabber:iq:roster' jid='Alice@Example.org' subscription='from' ask='subscribe'/>"
        let reply = await handler.handle(Self.iq("set", Self.push(item), from: nil), from: Self.account.domainJID, role: .operator)
        #expect(reply.serialized() == "<iq xmlns='jabber:client' type='result' id='q1'/>")
        let stored = await roster.item(try! JID("alice@example.org"))
        #expect(stored == Roster.Item(jid: try! JID("alice@example.org"), subscription: .from, pendingOut: true))
        #expect(stored?.subscription.theyReceiveOurs == true && stored?.subscription.weReceiveTheirs == false)

        let remove = "<item xmlns='jabber:iq:roster' jid='alice@example.org' subscription='remove'/>"
        _ = await handler.handle(Self.iq("set", Self.push(remove), from: "dev@example.org"), from: Self.account, role: .operator)
        #expect(await roster.item(try! JID("alice@example.org")) == nil)
    }

    @Test(arguments: ["alice@example.org/pc", "dev@example.org/other", "example.org"])
    func spoofedRosterPushesChangeNothing(from: String) async {
        let roster = Roster()
        let handler = RosterPushHandler(roster: roster, account: Self.account)
        let item = "<item xmlns='jabber:iq:roster' jid='mallory@evil.example' subscription='both'/>"
        let reply = await handler.handle(Self.iq("set", Self.push(item), from: from), from: try! JID(from), role: .operator)
        #expect(StanzaError(stanza: reply)?.condition == .serviceUnavailable)
        #expect(await roster.all.isEmpty)
    }

    @Test func rosterPushWithTwoItemsIsABadRequest() async {
        let handler = RosterPushHandler(roster: Roster(), account: Self.account)
        var query = Self.push("<item xmlns='jabber:iq:roster' jid='a@example.org'/>")
        query.append(try! XMLElement(parsing: "<item xmlns='jabber:iq:roster' jid='b@example.org'/>"))
        let reply = await handler.handle(Self.iq("set", query, from: nil), from: Self.account.domainJID, role: .operator)
        #expect(StanzaError(stanza: reply)?.condition == .badRequest)
        #expect(handler.discoFeatures.isEmpty)
    }

    @Test func throttleRepliesOncePerSenderPerWindow() {
        let clock = ManualClock()
        let throttle = ReplyThrottle(window: .seconds(300), capacity: 2, clock: clock)
        let mallory = try! JID("mallory@evil.example/a")
        let sameBare = try! JID("mallory@evil.example/b")
        var allowed = [throttle.allow(mallory), throttle.allow(sameBare)]
        clock.advance(by: .seconds(301))
        allowed.append(throttle.allow(sameBare))
        clock.advance(by: .seconds(1))
        allowed.append(throttle.allow(try! JID("eve@evil.example")))
        clock.advance(by: .seconds(1))
        // Full of recent senders: the oldest (mallory) is forgotten rather than the table growing.
        allowed += [throttle.allow(try! JID("trent@evil.example")), throttle.allow(mallory), throttle.allow(try! JID("trent@evil.example"))]
        #expect(allowed == [true, false, true, true, true, true, false])
    }
}
