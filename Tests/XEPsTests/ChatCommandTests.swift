import Testing
import XMLStream
import XMPPCore

@testable import XEPs

/// The chat command language: parsing, replies, who gets what, and what is never answered.
@Suite struct ChatCommandTests {
    @Test(arguments: [
        ("help", ChatCommand.help), ("  HELP  ", .help), ("?", .help),
        ("status", .status), ("Status please", .status),
        ("read", .read([])), ("read temperature", .read(["temperature"])),
        ("READ   Temperature   humidity ", .read(["Temperature", "humidity"])),
        ("set relay on", .set([.init("relay", "on")])), ("Set   Relay\tOFF", .set([.init("Relay", "OFF")])),
        ("set label hello  world ", .set([.init("label", "hello  world")])),
        // Every other word a control: several at once, in the order typed.
        ("set relay on Dimmer 40", .set([.init("relay", "on"), .init("Dimmer", "40")])),
        ("set dimmer 40 relay on mode auto", .set([.init("dimmer", "40"), .init("relay", "on"), .init("mode", "auto")])),
        // Not every other word a control: one text value, the rest of the line.
        ("set label hello world relay on", .set([.init("label", "hello world relay on")])),
        ("set relay on dimmer", .set([.init("relay", "on dimmer")])),
        ("set relay", .usage(ChatCommand.setUsage)), ("set", .usage(ChatCommand.setUsage)),
        ("read temperature 1h", .history(["temperature"], span: .seconds(3600))),
        ("read temperature humidity 30m", .history(["temperature", "humidity"], span: .seconds(1800))),
        ("read 1h", .read(["1h"])), ("read temperature 1x", .read(["temperature", "1x"])),
        ("flip relay", .unknown("flip")), ("", .empty), ("   ", .empty),
    ] as [(String, ChatCommand)])
    func parsing(text: String, expected: ChatCommand) {
        #expect(ChatCommand(parsing: text, controls: ["relay", "dimmer", "mode", "label"]) == expected)
    }

    /// A handler on the fixture device whose replies are returned, not sent.
    struct Bench {
        let fixture: CommandFixture
        let handler: ChatCommandHandler

        init(policy: ChatThrottle.Policy = ChatThrottle.Policy()) async throws {
            fixture = try await CommandFixture.make()
            handler = ChatCommandHandler(services: fixture.services, policy: policy, ownJID: { device }, sender: RecordingSender())
        }

        func verdict(_ body: String?, from: JID = alice, role: Role = .operator, type: String? = "chat", extra: XMLElement? = nil) async
            -> ChatCommandHandler.Verdict
        {
            var message = XMLElement("message", namespace: Namespace.client, attributes: ["from": from.description, "to": device.description])
            if let type { message.setAttribute("type", type) }
            if let body { message.append(XMLElement("body", text: body)) }
            if let extra { message.append(extra) }
            return await handler.verdict(on: message, from: from, role: role)
        }

        /// The body of the reply, or nil when there is none.
        func say(_ body: String, from: JID = alice, role: Role = .operator) async -> String? {
            guard case .reply(let reply) = await verdict(body, from: from, role: role) else { return nil }
            #expect(reply.attribute("to") == from.description)
            #expect(reply.attribute("type") == "chat")
            return reply.child("body")?.text
        }
    }

    @Test func operatorsReadAndSet() async throws {
        let bench = try await Bench()
        #expect(await bench.say("read temperature") == "temperature: 21.50 °C")
        #expect(await bench.say("read  TEMPERATURE") == "temperature: 21.50 °C")
        #expect(await bench.say("set relay on") == "relay is now on")
        #expect(await bench.say("read relay") == "relay: on")
        #expect(await bench.say("set Dimmer 42") == "dimmer is now 42 %")
        #expect(await bench.say("set mode MANUAL") == "mode is now manual")
        #expect(await bench.say("set setpoint 21.5") == "setpoint is now 21.5 °C")
        #expect(await bench.say("read") == "temperature: 21.50 °C\nrelay: on\ndimmer: 42 %\nmode: manual\nsetpoint: 21.5 °C")
    }

    @Test(arguments: [
        ("set dimmer 150", "dimmer must be a whole number between 0 and 100 %, not 150"),
        ("set dimmer lots", "dimmer must be a whole number between 0 and 100 %, not 'lots'"),
        ("set relay maybe", "relay must be on or off, not 'maybe'"),
        ("set mode turbo", "mode must be one of auto, manual, off, not 'turbo'"),
        ("set toaster on", "no control named 'toaster'; controls: relay, dimmer, mode, setpoint"),
        ("set temperature 3", "temperature is a sensor and cannot be set; controls: relay, dimmer, mode, setpoint"),
        ("set relay", ChatCommand.setUsage),
        ("read humidity", "no sensor or control named 'humidity'; known: serial_number, temperature, relay, dimmer, mode, setpoint"),
        ("blah blah", "unknown command 'blah'; try help"),
    ])
    func errorsNameTheProblem(input: String, reply: String) async throws {
        let bench = try await Bench()
        #expect(await bench.say(input) == reply)
        #expect(await bench.fixture.shown("dimmer") == "0 %", "nothing was applied")
    }

    @Test func statusIsShortAndHuman() async throws {
        let bench = try await Bench()
        bench.fixture.clock.advance(by: .seconds(3 * 3600 + 120))
        let status = try #require(await bench.say("status"))
        #expect(status.hasPrefix("bench: 1 sensor, 4 controls OK\nup 3h 2m · Kinglet "))
        #expect(status.split(separator: "\n").count == 2)
    }

    @Test func statusSaysWhoSetTheControlsLast() async throws {
        let bench = try await Bench()
        #expect(await bench.say("set relay on") == "relay is now on")
        #expect(await bench.say("set dimmer 40") == "dimmer is now 40 %")
        bench.fixture.clock.advance(by: .seconds(300))
        let status = try #require(await bench.say("status"))
        #expect(status.split(separator: "\n").last == "last set: relay on by alice@example.org 5m 0s ago; dimmer 40 % by alice@example.org 5m 0s ago")
    }

    @Test func viewersMayOnlyRead() async throws {
        let bench = try await Bench()
        #expect(await bench.say("read relay", from: bob, role: .viewer) == "relay: off")
        #expect(await bench.say("set relay on", from: bob, role: .viewer) == "not allowed: viewers may only read; set needs an operator")
        #expect(await bench.fixture.shown("relay") == "off")
        let help = try #require(await bench.say("help", from: bob, role: .viewer))
        #expect(help.contains("set NAME VALUE: for operators"))
        #expect(!help.contains("controls:"))
    }

    /// The router answers strangers itself; were one to get through, nothing would happen.
    @Test func strangersAreLeftToTheRouter() async throws {
        let bench = try await Bench()
        #expect(await bench.verdict("status", from: mallory, role: .stranger) == .notMine)
        #expect(await bench.verdict("set relay on", from: mallory, role: .stranger) == .notMine)
        #expect(await bench.fixture.shown("relay") == "off")
    }

    @Test(arguments: ["error", "groupchat", "headline"])
    func otherMessageTypesAreNeverAnswered(type: String) async throws {
        let bench = try await Bench()
        #expect(await bench.verdict("status", type: type) == .notMine)
    }

    @Test func messagesWithoutABodyServersAndOurselvesAreNeverAnswered() async throws {
        let bench = try await Bench()
        let composing = XMLElement("composing", namespace: "http://jabber.org/protocol/chatstates")
        #expect(await bench.verdict(nil, extra: composing) == .notMine)
        #expect(await bench.verdict("status", from: try JID("example.org"), role: .operator) == .notMine)
        #expect(await bench.verdict("status", from: device, role: .operator) == .notMine)
        #expect(await bench.verdict("   ", role: .operator) == .silent)
    }

    @Test func normalMessagesAreAnsweredInKindAndThreadsKept() async throws {
        let bench = try await Bench()
        let thread = XMLElement("thread", namespace: Namespace.client, text: "t-1")
        guard case .reply(let reply) = await bench.verdict("read relay", type: nil, extra: thread) else {
            Issue.record("no reply")
            return
        }
        #expect(reply.serialized(inheritedNamespace: Namespace.client)
            == "<message type='normal' to='alice@example.org/phone'><body>relay: off</body><thread>t-1</thread></message>")
    }

    @Test func aSetKeptByTheServerWhileOfflineIsNotApplied() async throws {
        let bench = try await Bench()
        let delay = XMLElement("delay", namespace: "urn:xmpp:delay", attributes: ["stamp": "2026-01-01T10:00:00Z"])
        guard case .reply(let reply) = await bench.verdict("set relay on", extra: delay) else {
            Issue.record("no reply")
            return
        }
        #expect(reply.child("body")?.text.hasPrefix("not applied: this set was sent at 2026-01-01T10:00:00Z") == true)
        #expect(await bench.fixture.shown("relay") == "off")
    }

    @Test func aMutedCorrespondentIsToldOnceAndEverySetIsAnswered() async throws {
        var policy = ChatThrottle.Policy()
        policy.burst = 2
        let bench = try await Bench(policy: policy)
        #expect(await bench.say("set dimmer 10") == "dimmer is now 10 %")
        #expect(await bench.say("read dimmer") == "dimmer: 10 %")
        #expect(await bench.say("status") == "too many messages: I will answer again in 20 s")
        #expect(await bench.verdict("read dimmer") == .silent)
        // A set during the mute is not carried out, and says so: nobody believes it went out.
        bench.fixture.clock.advance(by: .seconds(5))
        #expect(await bench.say("set dimmer 30") == "not applied: too many messages; send it again in 15 s")
        #expect(await bench.fixture.shown("dimmer") == "10 %")
        // Messages during the mute did not lengthen it.
        bench.fixture.clock.advance(by: .seconds(15))
        #expect(await bench.say("set dimmer 30") == "dimmer is now 30 %")
    }

    @Test func aPersonPastingAHandfulOfCommandsIsAnsweredEveryTime() async throws {
        let bench = try await Bench()
        for command in ["status", "read", "read temperature", "set relay on", "read relay", "set dimmer 5", "help", "status"] {
            let reply = await bench.say(command)
            #expect(reply != nil && reply?.hasPrefix("too many") == false, "\(command)")
        }
    }

    @Test func twoBotsTellingEachOtherUnknownCommandStop() async throws {
        let bench = try await Bench()
        var answered: [String] = []
        for _ in 0..<50 {
            if let reply = await bench.say("unknown command 'x'; try help") { answered.append(reply) }
        }
        // Five hints, then one notice, then nothing for as long as the mute lasts.
        #expect(answered.count == 6)
        #expect(answered.last == "too many messages: I will answer again in 20 s")
        bench.fixture.clock.advance(by: .seconds(20))
        #expect(await bench.say("status") != nil)
    }
}

/// The throttle on its own, with time as a plain value.
@Suite struct ChatThrottleTests {
    /// Asks the throttle for a series of replies and returns its verdicts.
    static func verdicts(_ throttle: inout ChatThrottle, _ asks: [(ChatThrottle.Reply, JID, Int)]) -> [Bool] {
        asks.map { throttle.allows($0.0, to: $0.1, at: .seconds($0.2)) }
    }

    @Test func aFloodEmptiesTheBucketAndMutesForAFixedTime() {
        var throttle = ChatThrottle()
        let peer = alice.bare
        let flood = (0..<30).map { _ in throttle.decide(.answer, to: peer, at: .seconds(1)) }
        #expect(flood.count(where: { $0 == .answer }) == 10)
        #expect(flood[10] == .notice(wait: .seconds(20)))
        #expect(flood[11...].allSatisfy { $0 == .muted(wait: .seconds(20)) })
        // Talking during the mute does not lengthen it.
        #expect(throttle.decide(.answer, to: peer, at: .seconds(20)) == .muted(wait: .seconds(1)))
        #expect(throttle.decide(.answer, to: peer, at: .seconds(21)) == .answer)
    }

    @Test func theBucketRefillsAtAPersonsPace() {
        var throttle = ChatThrottle()
        let steady = Self.verdicts(&throttle, (0..<100).map { (.answer, alice.bare, $0 * 3) })
        #expect(steady.allSatisfy { $0 })
    }

    @Test func aValidCommandResetsTheHintStreak() {
        var throttle = ChatThrottle()
        var asks: [(ChatThrottle.Reply, JID, Int)] = []
        for round in 0..<3 {
            asks += (0..<4).map { (.hint, alice.bare, round * 100 + $0 * 5) }
            asks.append((.answer, alice.bare, round * 100 + 30))
        }
        #expect(Self.verdicts(&throttle, asks).allSatisfy { $0 })
        let streak = Self.verdicts(&throttle, (0..<7).map { (.hint, alice.bare, 400 + $0) })
        #expect(streak == [true, true, true, true, true, false, false])
    }

    @Test func correspondentsAreForgottenLeastRecentlySeenFirst() throws {
        var policy = ChatThrottle.Policy()
        policy.capacity = 3
        var throttle = ChatThrottle(policy: policy)
        let peers = try (0..<5).map { try JID("p\($0)@example.org") }
        #expect(Self.verdicts(&throttle, (0..<5).map { (.hint, peers[0], $0) }).allSatisfy { $0 })
        _ = Self.verdicts(&throttle, peers.dropFirst().enumerated().map { (.answer, $0.element, $0.offset + 5) })
        #expect(throttle.remembered == 3)
        // p0 was forgotten with its streak, so a sixth hint goes out instead of muting it.
        #expect(Self.verdicts(&throttle, [(.hint, peers[0], 10)]) == [true])
    }
}
