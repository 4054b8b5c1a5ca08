import Support
import Synchronization
import Testing
import XMLStream
import XMPPCore

@testable import XEPs

/// The router's decisions, stanza by stanza, through a recording sender: who reaches which
/// handler, who is refused with what, what is ignored, and what counts as activity.
@Suite struct StanzaRouterTests {
    static let readNamespace = "urn:test:read"
    static let controlNamespace = "urn:test:control"

    /// Answers reads (viewers) and controls (operators); records who got through and when
    /// `afterReply` ran.
    final class Feature: IQHandler, Sendable {
        let calls = Mutex<[String]>([])
        var payloadNamespaces: Set<String> { [StanzaRouterTests.readNamespace, StanzaRouterTests.controlNamespace] }

        func requiredRole(for iq: XMLElement) -> Role {
            iq.payload?.namespace == StanzaRouterTests.controlNamespace ? .operator : .viewer
        }

        func handle(_ iq: XMLElement, from: JID, role: Role) async -> XMLElement {
            calls.withLock { $0.append("\(from) as \(role)") }
            return iq.iqResult()
        }

        func afterReply(_ reply: XMLElement, to iq: XMLElement, from: JID, role: Role) async {
            calls.withLock { $0.append("after") }
        }
    }

    /// Takes every message whose body is not "pass".
    final class Messages: MessageHandler, PresenceHandler, Sendable {
        let seen = Mutex<[String]>([])
        func handle(_ message: XMLElement, from: JID, role: Role) async -> Bool {
            seen.withLock { $0.append("message from \(from) as \(role)") }
            return message.child("body")?.text != "pass"
        }
        func handle(_ presence: XMLElement, from: JID, role: Role) async {
            seen.withLock { $0.append("presence from \(from) as \(role)") }
        }
    }

    struct Rig {
        let sender = RecordingSender()
        let feature = Feature()
        let messages = Messages()
        let clock = ManualClock()
        let router: StanzaRouter
        let activity: ActivityClock

        init() {
            let access = AccessPolicy(
                operators: ["alice@example.org"], viewers: ["bob@example.org"], account: try! JID("device@example.org"))
            activity = ActivityClock(clock: clock)
            router = StanzaRouter(
                sender: sender, access: access, iqHandlers: [feature], messageHandlers: [messages],
                presenceHandlers: [messages], activity: activity,
                replies: ReplyThrottle(window: .seconds(300), clock: clock))
        }

        func route(_ xml: String) async throws { await router.route(try XMLElement(parsing: xml)) }
        var sent: [XMLElement] { get async { await sender.stanzas } }
    }

    static func iq(_ type: String, from: String?, namespace: String) -> String {
        "<iq type='\(type)' id='q' \(from.map { "from='\($0)' " } ?? "")to='device@example.org/k'><query xmlns='\(namespace)'/></iq>"
    }

    /// (type, sender, payload namespace, what is sent back, whether the handler ran)
    @Test(arguments: [
        ("get", "bob@example.org/phone", readNamespace, "result", true),
        ("set", "bob@example.org/phone", controlNamespace, "forbidden", false),
        ("set", "alice@example.org/pc", controlNamespace, "result", true),
        ("get", "mallory@example.org/x", readNamespace, "forbidden", false),
        ("get", "mallory@example.org/x", "urn:test:unknown", "service-unavailable", false),
        ("get", "alice@example.org/pc", "urn:test:unknown", "service-unavailable", false),
        // The account's own server (a roster push, a server query) acts for the account.
        ("set", "example.org", controlNamespace, "result", true),
        ("set", "device@example.org", controlNamespace, "result", true),
        // A component of the same server is not the server.
        ("get", "pubsub.example.org", readNamespace, "forbidden", false),
        ("get", "example.org/resource", readNamespace, "forbidden", false),
    ] as [(String, String, String, String, Bool)])
    func iqRequests(type: String, from: String, namespace: String, answer: String, handled: Bool) async throws {
        let rig = Rig()
        try await rig.route(Self.iq(type, from: from, namespace: namespace))
        let sent = await rig.sent
        #expect(sent.count == 1, "every request gets exactly one answer")
        let reply = try #require(sent.first)
        #expect(reply.attribute("to") == from && reply.id == "q")
        if answer == "result" {
            #expect(reply.stanzaType == "result")
        } else {
            #expect(reply.stanzaType == "error" && StanzaError(stanza: reply)?.condition.rawValue == answer)
        }
        #expect(!rig.feature.calls.withLock { $0 }.isEmpty == handled)
    }

    @Test func aRequestWithoutFromIsOurServerSpeakingForTheAccount() async throws {
        let rig = Rig()
        try await rig.route(Self.iq("set", from: nil, namespace: Self.controlNamespace))
        #expect(rig.feature.calls.withLock { $0 } == ["example.org as operator", "after"])
        #expect(await rig.sent.first?.stanzaType == "result")
    }

    @Test func theReplyGoesOutBeforeAfterReplyRuns() async throws {
        let rig = Rig()
        try await rig.route(Self.iq("get", from: "bob@example.org/phone", namespace: Self.readNamespace))
        #expect(rig.feature.calls.withLock { $0 } == ["bob@example.org/phone as viewer", "after"])
        #expect(await rig.sent.count == 1)
    }

    @Test(arguments: ["result", "error"])
    func responsesAreNeverAnswered(type: String) async throws {
        let rig = Rig()
        try await rig.route(Self.iq(type, from: "mallory@example.org/x", namespace: Self.readNamespace))
        #expect(await rig.sent.isEmpty && rig.feature.calls.withLock { $0 }.isEmpty)
    }

    @Test func aStrangersChatGetsOneNotAuthorizedPerWindow() async throws {
        let rig = Rig()
        let chat = "<message type='chat' from='mallory@example.org/x'><body>set relay on</body><thread>t1</thread></message>"
        try await rig.route(chat)
        try await rig.route(chat)
        var sent = await rig.sent
        #expect(sent.count == 1, "a second reply within the window would feed a loop between two bots")
        #expect(sent.first?.child("body")?.text == StanzaRouter.notAuthorizedText && sent.first?.child("thread")?.text == "t1")
        #expect(sent.first?.attribute("to") == "mallory@example.org/x" && sent.first?.stanzaType == "chat")
        rig.clock.advance(by: .seconds(300))
        try await rig.route(chat)
        sent = await rig.sent
        #expect(sent.count == 2)
        #expect(rig.messages.seen.withLock { $0 }.isEmpty, "no handler sees a stranger's message")
    }

    @Test(arguments: [
        "<message type='chat' from='mallory@example.org/x'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>",
        "<message type='headline' from='mallory@example.org/x'><body>news</body></message>",
        "<message type='error' from='alice@example.org/pc'><body>x</body></message>",
    ])
    func messagesThatGetNoReply(xml: String) async throws {
        let rig = Rig()
        try await rig.route(xml)
        #expect(await rig.sent.isEmpty)
        #expect(rig.messages.seen.withLock { $0 }.isEmpty)
    }

    @Test func aViewersMessageReachesTheHandlersAndCountsAsActivity() async throws {
        let rig = Rig()
        rig.clock.advance(by: .seconds(100))
        #expect(rig.activity.idle == .seconds(100))
        try await rig.route("<message type='chat' from='bob@example.org/phone'><body>status</body></message>")
        #expect(rig.messages.seen.withLock { $0 } == ["message from bob@example.org/phone as viewer"])
        #expect(rig.activity.idle == .zero, "a command from a contact")
        rig.clock.advance(by: .seconds(5))
        try await rig.route("<message type='chat' from='bob@example.org/phone'><body>pass</body></message>")
        #expect(rig.activity.idle == .seconds(5), "a message no handler took is not activity")
    }

    @Test func onlyASuccessfulSetFromAContactIsActivity() async throws {
        let rig = Rig()
        rig.clock.advance(by: .seconds(10))
        try await rig.route(Self.iq("get", from: "alice@example.org/pc", namespace: Self.readNamespace))
        #expect(rig.activity.idle == .seconds(10), "reading is observation")
        try await rig.route(Self.iq("set", from: "example.org", namespace: Self.controlNamespace))
        #expect(rig.activity.idle == .seconds(10), "the server is not a contact")
        try await rig.route(Self.iq("set", from: "alice@example.org/pc", namespace: Self.controlNamespace))
        #expect(rig.activity.idle == .zero)
    }

    @Test func presenceReachesItsHandlersWithTheSendersRole() async throws {
        let rig = Rig()
        try await rig.route("<presence type='subscribe' from='mallory@example.org'/>")
        try await rig.route("<presence from='alice@example.org/pc'/>")
        #expect(rig.messages.seen.withLock { $0 } == [
            "presence from mallory@example.org as stranger", "presence from alice@example.org/pc as operator",
        ])
        #expect(await rig.sent.isEmpty, "the router itself answers no presence")
    }
}
