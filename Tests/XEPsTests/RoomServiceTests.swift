import Support
import TestSupport
import Testing
import XMLStream
import XMPPCore
@testable import XEPs

/// Commands through the fleet room take their sender's request budget and lane, as the agent
/// wires it: what the room turns into a request goes to the same `StanzaDispatcher` as the
/// stanzas that account sends the device directly.
@Suite struct RoomServiceTests {
    static let room = RoomStateTests.room
    static let access = AccessPolicy(operators: ["alice@example.org"], viewers: ["bob@example.org"], account: device.bare)

    struct Bench {
        let fixture: CommandFixture
        let sender = RecordingSender()
        let seat: RoomService
        let dispatcher: StanzaDispatcher

        /// The device seated in the room as sensor-7, with bob (a viewer), alice (an operator)
        /// and mallory (a stranger) in the room, each with the real JID the room shows.
        init(iqHandlers: [any IQHandler] = [PingHandler()], _ adjust: (inout ConsumerLimits) -> Void) async throws {
            fixture = try await CommandFixture.make()
            var limits = ConsumerLimits()
            adjust(&limits)
            let refusals = RefusalLogger(clock: fixture.clock)
            let chat = ChatCommandHandler(services: fixture.services, ownJID: { device }, sender: sender)
            let router = StanzaRouter(
                sender: sender, access: RoomServiceTests.access, iqHandlers: iqHandlers, messageHandlers: [chat], presenceHandlers: [],
                refusals: refusals)
            dispatcher = StanzaDispatcher(
                router: router, access: RoomServiceTests.access, sender: sender, limits: limits, refusals: refusals, clock: fixture.clock)
            seat = RoomService(
                sender: sender, settings: RoomState.Settings(room: RoomServiceTests.room, nick: "sensor-7"), password: nil,
                access: RoomServiceTests.access, chat: chat, currentPresence: { XMLElement("presence", namespace: Namespace.client) },
                clock: fixture.clock)
            await seat.online(resumed: false)
            for (nick, jid) in [("sensor-7", device), ("bob", bob), ("alice", alice), ("mallory", mallory)] {
                var x = XMLElement("x", namespace: MUCXML.user) {
                    XMLElement("item", namespace: MUCXML.user, attributes: ["affiliation": "none", "role": "participant", "jid": jid.description])
                }
                if nick == "sensor-7" { x.append(XMLElement("status", namespace: MUCXML.user, attributes: ["code": "110"])) }
                let presence = XMLElement("presence", namespace: Namespace.client, attributes: ["from": "\(RoomServiceTests.room)/\(nick)"]) { x }
                _ = await seat.handle(presence)
            }
            await sender.clear()
        }

        /// What the agent does with a stanza: the room's first, then the dispatcher.
        func receive(_ stanza: XMLElement) async {
            switch await seat.handle(stanza) {
            case .notMine: await dispatcher.dispatch(stanza)
            case .taken: break
            case .request(let request): await dispatcher.dispatch(request)
            }
        }

        /// A private message through the room from `nick`.
        func say(_ body: String, from nick: String) async {
            await receive(
                XMLElement("message", namespace: Namespace.client, attributes: ["type": "chat", "from": "\(RoomServiceTests.room)/\(nick)"]) {
                    XMLElement("body", text: body)
                })
        }

        /// The bodies sent privately to `nick` through the room, in order.
        func answers(to nick: String) async -> [String] {
            await sender.stanzas.filter { $0.name == "message" && $0.attribute("to") == "\(RoomServiceTests.room)/\(nick)" }
                .compactMap { $0.child("body", namespace: Namespace.client)?.text }
        }

        func ping(from jid: JID, id: String) -> XMLElement {
            XMLElement("iq", namespace: Namespace.client, attributes: ["type": "get", "id": id, "from": jid.description, "to": device.description]) {
                XMLElement("ping", namespace: Namespace.ping)
            }
        }
    }

    @Test func aFloodThroughTheRoomGetsTheViewersBudgetAFewRefusalsAndNothingMore() async throws {
        let bench = try await Bench {
            $0.requests.viewer = RateLimit(rate: 0.001, burst: 3)
            $0.requests.refusals = RateLimit(rate: 0.001, burst: 2)
        }
        for _ in 0..<30 { await bench.say("status", from: "bob") }
        #expect(await eventually { await bench.answers(to: "bob").count == 5 })
        let all = await bench.answers(to: "bob")
        #expect(all.filter { $0.hasPrefix("too many messages: I will answer again in") }.count == 2, "\(all)")
        #expect(all.filter { !$0.hasPrefix("too many messages") }.count == 3, "\(all)")
        // An operator in the same room is served meanwhile.
        await bench.say("status", from: "alice")
        #expect(await eventually { await bench.answers(to: "alice").count == 1 })
        #expect(await bench.answers(to: "alice").allSatisfy { !$0.hasPrefix("too many") })
    }

    @Test func theRoomAndDirectRequestsShareOneBudget() async throws {
        let bench = try await Bench { $0.requests.viewer = RateLimit(rate: 0.001, burst: 3) }
        for n in 0..<3 { await bench.dispatcher.dispatch(bench.ping(from: bob, id: "p\(n)")) }
        #expect(await eventually { await bench.sender.stanzas.filter { $0.stanzaType == "result" }.count == 3 })
        // bob's budget is spent: the room is no way around it.
        await bench.say("status", from: "bob")
        #expect(await eventually { await bench.answers(to: "bob").count == 1 })
        #expect(await bench.answers(to: "bob").first?.hasPrefix("too many messages: I will answer again in") == true)
        // Nor the other way round: a direct request is refused too.
        await bench.dispatcher.dispatch(bench.ping(from: bob, id: "after"))
        #expect(await eventually { await bench.sender.stanzas.contains { $0.id == "after" } })
        let reply = await bench.sender.stanzas.first { $0.id == "after" }
        #expect(reply.flatMap { StanzaError(stanza: $0) }?.condition == .resourceConstraint)
    }

    @Test func aStrangersFloodThroughTheRoomIsRefusedOnceAndQueuesNothing() async throws {
        let bench = try await Bench { $0.requests.refusals = RateLimit(rate: 0.001, burst: 3) }
        for _ in 0..<30 { await bench.say("status", from: "mallory") }
        // Three reach the strangers' lane (the refusal budget), one of them is answered (the
        // room's reply throttle, as the router's), the rest are dropped at the door.
        #expect(await eventually { bench.dispatcher.count(in: .strangers) == 0 })
        #expect(await bench.answers(to: "mallory") == [StanzaRouter.notAuthorizedText])
    }

    @Test func roomCommandsWaitInTheirSendersLaneAndAFullLaneRefuses() async throws {
        let stuck = StuckHandler()
        let bench = try await Bench(iqHandlers: [PingHandler(), stuck]) { $0.queuedStanzas = 2 }
        // bob's lane (viewers) is full of requests stuck on a slow feature.
        for n in 0..<2 {
            await bench.dispatcher.dispatch(
                XMLElement("iq", namespace: Namespace.client, attributes: ["type": "get", "id": "s\(n)", "from": bob.description]) {
                    XMLElement("query", namespace: "urn:example:stuck")
                })
        }
        await bench.say("status", from: "bob")
        #expect(await eventually { await bench.answers(to: "bob") == [StanzaDispatcher.tooManyMessages(wait: .seconds(1))] })
        // An operator's command through the room has a lane of its own.
        await bench.say("status", from: "alice")
        #expect(await eventually { await bench.answers(to: "alice").count == 1 })
        await stuck.release()
        #expect(await eventually { await bench.sender.stanzas.filter { $0.stanzaType == "result" }.count == 2 })
    }
}
