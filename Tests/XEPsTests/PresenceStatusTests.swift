@testable import Devices
import Testing
import XMLStream
@testable import XEPs

@Suite struct PresenceStatusTests {
    static let healthy = DeviceHealth(sensorCount: 6, controlCount: 4, problems: [], overruns: 0)
    static let failing = DeviceHealth(
        sensorCount: 6, controlCount: 4,
        problems: [.init(name: "temperature", reason: "read /x: No such file or directory"), .init(name: "relay", reason: "busy")],
        overruns: 0)
    static let caps = EntityCapabilities(node: "https://kinglet.invalid/caps", info: DiscoInfo(identities: [], features: ["f"]))

    static func template(_ text: String) throws -> StatusTemplate {
        guard case .template(let template) = StatusTemplate.parse(text) else { throw TemplateRefused() }
        return template
    }
    struct TemplateRefused: Error {}

    @Test(arguments: [
        ("{health}", "unknown placeholder", false),
        ("{sensor} sensors", "unknown placeholder {sensor}", true),
        ("{health", "unclosed '{'", true),
        ("ok }", "lone '}'", true),
        ("{{literal}} {health}", "", false),
        ("", "", false),
    ])
    func templateProblems(text: String, fragment: String, refused: Bool) {
        switch StatusTemplate.parse(text) {
        case .template: #expect(!refused)
        case .problem(let message): #expect(refused && message.contains(fragment))
        }
    }

    @Test func unknownPlaceholderMessageListsTheKnownOnes() {
        guard case .problem(let message) = StatusTemplate.parse("{nope}") else {
            Issue.record("accepted an unknown placeholder")
            return
        }
        #expect(message.contains("{health}") && message.contains("{pending}"))
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var health: DeviceHealth
        var pending = 0
        var dropped: UInt64 = 0
        var degraded = false
        var template = "{health} · {sensors} sensors"
        var show: PresenceShow?
        var status: String
        var testDescription: String { name }
    }

    static let cases = [
        Case(name: "all fine", health: healthy, show: nil, status: "ok · 6 sensors"),
        Case(name: "backlog under the threshold", health: healthy, pending: 99, show: nil, status: "ok · 6 sensors"),
        Case(name: "backlog", health: healthy, pending: 1234, show: .away, status: "1000+ queued · 6 sensors"),
        Case(name: "failing", health: failing, show: .dnd, status: "failing: temperature, relay · 6 sensors"),
        Case(name: "failing with backlog", health: failing, pending: 250, show: .dnd, status: "failing: temperature, relay; 200+ queued · 6 sensors"),
        Case(name: "outbox in memory", health: healthy, degraded: true, show: .dnd, status: "outbox in memory · 6 sensors"),
        Case(
            name: "every placeholder", health: failing, pending: 730, dropped: 12,
            template: "{sensors}/{controls} {failing} ({failing_count}) {pending} {dropped} {profile} {{x}}",
            show: .dnd, status: "6/4 temperature, relay (2) 500+ 10+ sim {x}"),
        Case(name: "problems with reasons", health: failing, template: "{problems}", show: .dnd,
             status: "2 failing: temperature (read /x: No such file or directory); relay (busy)"),
        Case(name: "nothing failing", health: healthy, template: "{failing} {pending} {dropped}", show: nil, status: "none 0 0"),
    ]

    @Test(arguments: cases) func showAndStatus(_ c: Case) throws {
        var configuration = PresenceConfiguration()
        configuration.status = try Self.template(c.template)
        let device = DeviceStatus(health: c.health, pendingReadings: c.pending, droppedReadings: c.dropped, outboxDegraded: c.degraded, profile: "sim")
        let presence = PresenceStatus(device, configuration: configuration)
        #expect(presence.show == c.show)
        #expect(presence.status == c.status)
    }

    @Test func showsAreConfigurable() {
        var configuration = PresenceConfiguration()
        configuration.failingShow = .xa
        configuration.backlogShow = nil
        #expect(PresenceStatus(DeviceStatus(health: Self.failing), configuration: configuration).show == .xa)
        #expect(PresenceStatus(DeviceStatus(health: Self.healthy, pendingReadings: 500), configuration: configuration).show == nil)
    }

    @Test func longLinesAreCut() throws {
        let many = DeviceHealth(
            sensorCount: 80, controlCount: 0,
            problems: (0..<80).map { .init(name: "sensor_number_\($0)", reason: "gone") }, overruns: 0)
        let status = PresenceStatus(DeviceStatus(health: many), configuration: PresenceConfiguration()).status
        #expect(status.count == PresenceStatus.maximumLength)
        #expect(status.hasSuffix("…"))
    }

    @Test(arguments: [(0, "0"), (1, "1+"), (2, "2+"), (4, "2+"), (5, "5+"), (9, "5+"), (10, "10+"), (19, "10+"), (20, "20+"),
                      (99, "50+"), (100, "100+"), (4999, "2000+"), (1_000_000, "1000000+")])
    func roughCounts(count: Int, text: String) {
        #expect(PresenceStatus.roughCount(count) == text)
    }

    @Test(arguments: [
        (PresenceStatus(show: nil, status: "ok · 6 sensors"),
         "<presence xmlns='jabber:client'><status>ok · 6 sensors</status><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='https://kinglet.invalid/caps' ver='\(caps.ver)'/></presence>"),
        (PresenceStatus(show: .dnd, status: "failing: relay", priority: -1),
         "<presence xmlns='jabber:client'><show>dnd</show><status>failing: relay</status><priority>-1</priority><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='https://kinglet.invalid/caps' ver='\(caps.ver)'/></presence>"),
        (PresenceStatus(show: .away, status: ""),
         "<presence xmlns='jabber:client'><show>away</show><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='https://kinglet.invalid/caps' ver='\(caps.ver)'/></presence>"),
    ])
    func presenceShape(status: PresenceStatus, xml: String) {
        #expect(status.element(caps: Self.caps).serialized() == xml)
    }

    @Test func gateSendsOnlyChanges() {
        var gate = PresenceGate()
        let ok = PresenceStatus(show: nil, status: "ok").element(caps: Self.caps)
        let sameAgain = PresenceStatus(show: nil, status: "ok").element(caps: Self.caps)
        let bad = PresenceStatus(show: .dnd, status: "failing: relay").element(caps: Self.caps)
        let newCaps = EntityCapabilities(node: Self.caps.node, info: DiscoInfo(identities: [], features: ["f", "g"]))
        let okWithNewCaps = PresenceStatus(show: nil, status: "ok").element(caps: newCaps)
        let admitted = [ok, ok, sameAgain, bad, ok, okWithNewCaps].map { gate.admit($0) }
        // A new ver is news too: XEP-0115 wants a broadcast when the features change.
        #expect(admitted == [true, false, false, true, true, true])
    }

    @Test func gateRetriesAfterAFailedSendAndAfterANewSession() {
        var gate = PresenceGate()
        let ok = PresenceStatus(show: nil, status: "ok").element(caps: Self.caps)
        var admitted = [gate.admit(ok)]
        gate.unsent(ok)
        admitted += [gate.admit(ok), gate.admit(ok)]
        gate.reset()
        admitted.append(gate.admit(ok))
        #expect(admitted == [true, true, false, true])
    }
}
