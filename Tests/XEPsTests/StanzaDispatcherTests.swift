import Session
import Support
import TestSupport
import Testing
import XMLStream
import XMPPCore
@testable import XEPs

/// A viewer-level feature that holds every request until it is let go: a handler stuck on a
/// slow device, or a readout waiting for the link.
final class StuckHandler: IQHandler {
    private let gate = Gate()
    var payloadNamespaces: Set<String> { ["urn:example:stuck"] }
    func requiredRole(for iq: XMLElement) -> Role { .viewer }
    func handle(_ iq: XMLElement, from: JID, role: Role) async -> XMLElement {
        await gate.pass()
        return iq.iqResult()
    }
    func release() async { await gate.open() }

    private actor Gate {
        private var isOpen = false
        private var waiting: [CheckedContinuation<Void, Never>] = []
        func pass() async { if !isOpen { await withCheckedContinuation { waiting.append($0) } } }
        func open() {
            isOpen = true
            for waiter in waiting { waiter.resume() }
            waiting.removeAll()
        }
    }
}

/// The dispatcher in front of the router: lanes per role, request budgets, refusals.
@Suite struct StanzaDispatcherTests {
    static let access = AccessPolicy(operators: ["alice@example.org"], viewers: ["bob@example.org", "example.net"], account: device.bare)

    struct Bench {
        let sender = RecordingSender()
        let stuck = StuckHandler()
        let clock = ManualClock()
        let dispatcher: StanzaDispatcher

        init(_ adjust: (inout ConsumerLimits) -> Void = { _ in }) {
            var limits = ConsumerLimits()
            adjust(&limits)
            let refusals = RefusalLogger(clock: clock)
            let router = StanzaRouter(
                sender: sender, access: StanzaDispatcherTests.access, iqHandlers: [PingHandler(), stuck], messageHandlers: [],
                presenceHandlers: [], refusals: refusals)
            dispatcher = StanzaDispatcher(
                router: router, access: StanzaDispatcherTests.access, sender: sender, limits: limits, refusals: refusals, clock: clock)
        }

        func request(_ namespace: String, from: String, id: String) -> XMLElement {
            XMLElement("iq", namespace: Namespace.client, attributes: ["type": "get", "id": id, "from": from, "to": device.description]) {
                XMLElement(namespace == Namespace.ping ? "ping" : "query", namespace: namespace)
            }
        }

        /// The replies sent so far to `id`s starting with `prefix`, by type ("result", "error").
        func replies(_ prefix: String) async -> [String] {
            await sender.stanzas.filter { $0.id?.hasPrefix(prefix) == true }.compactMap(\.stanzaType)
        }
    }

    @Test func anOperatorsPingIsAnsweredWhileViewersAreStuck() async throws {
        let bench = Bench()
        for n in 0..<5 { await bench.dispatcher.dispatch(bench.request("urn:example:stuck", from: "bob@example.org/c", id: "v\(n)")) }
        await bench.dispatcher.dispatch(bench.request(Namespace.ping, from: "alice@example.org/pc", id: "op"))
        #expect(await eventually { await bench.replies("op") == ["result"] })
        #expect(await bench.replies("v").isEmpty)
        await bench.stuck.release()
        #expect(await eventually { await bench.replies("v").count == 5 })
    }

    @Test func aFloodGetsAFewRefusalsSayingWhenToRetryAndTheRestIsDropped() async throws {
        let bench = Bench {
            $0.requests.viewer = RateLimit(rate: 1, burst: 3)
            $0.requests.refusals = RateLimit(rate: 0.1, burst: 2)
        }
        for n in 0..<20 { await bench.dispatcher.dispatch(bench.request(Namespace.ping, from: "bob@example.org/c", id: "b\(n)")) }
        #expect(await eventually { await bench.replies("b").count == 5 })
        let stanzas = await bench.sender.stanzas
        #expect(stanzas.filter { $0.stanzaType == "result" }.count == 3)
        let refusals = stanzas.filter { $0.stanzaType == "error" }.compactMap { StanzaError(stanza: $0) }
        #expect(refusals.map(\.condition) == [.resourceConstraint, .resourceConstraint])
        #expect(refusals.first?.text == "too many requests: retry in 1 s")
        // A second later the viewer is served again.
        bench.clock.advance(by: .seconds(1))
        await bench.dispatcher.dispatch(bench.request(Namespace.ping, from: "bob@example.org/c", id: "later"))
        #expect(await eventually { await bench.replies("later") == ["result"] })
    }

    @Test func accountsOfADomainEntryShareItsRate() async throws {
        let bench = Bench {
            $0.requests.viewer = RateLimit(rate: 0.001, burst: 2)
            $0.requests.domain = RateLimit(rate: 0.001, burst: 3)
        }
        for n in 0..<4 {
            await bench.dispatcher.dispatch(bench.request(Namespace.ping, from: "u\(n)@example.net/c", id: "u\(n)"))
        }
        #expect(await eventually { await bench.replies("u").count == 4 })
        #expect(await bench.replies("u").sorted() == ["error", "result", "result", "result"])
    }

    @Test func strangersGetAFewRefusalsAndNothingMore() async throws {
        let bench = Bench { $0.requests.refusals = RateLimit(rate: 0.1, burst: 3) }
        for n in 0..<50 { await bench.dispatcher.dispatch(bench.request(Namespace.ping, from: "mallory@evil.example/x", id: "m\(n)")) }
        #expect(await eventually { await bench.replies("m").count == 3 })
        let conditions = await bench.sender.stanzas.compactMap { StanzaError(stanza: $0)?.condition }
        #expect(conditions == [.forbidden, .forbidden, .forbidden])
        // Operators are not affected by anyone's refusals.
        await bench.dispatcher.dispatch(bench.request(Namespace.ping, from: "alice@example.org/pc", id: "op"))
        #expect(await eventually { await bench.replies("op") == ["result"] })
    }

    @Test func aFullLaneRefusesRatherThanQueues() async throws {
        let bench = Bench { $0.queuedStanzas = 2 }
        for n in 0..<4 { await bench.dispatcher.dispatch(bench.request("urn:example:stuck", from: "bob@example.org/c", id: "v\(n)")) }
        #expect(await eventually { await bench.replies("v") == ["error", "error"] })
        #expect(bench.dispatcher.count(in: .viewers) == 2)
        await bench.stuck.release()
        #expect(await eventually { await bench.replies("v").count == 4 })
    }
}
