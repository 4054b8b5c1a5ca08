import Testing
import XMLStream
import XMPPCore
@testable import XEPs

@Suite struct RoomStateTests {
    static let room = try! JID("greenhouse@conference.example.org")

    static func state() -> RoomState {
        var settings = RoomState.Settings(room: room, nick: "sensor-7")
        settings.retryInitial = .seconds(5)
        settings.retryMax = .seconds(600)
        settings.nickAttempts = 3
        return RoomState(settings: settings)
    }

    /// A presence from the room about `nick`, as XEP-0045 §7.2 writes it.
    static func presence(
        _ nick: String, available: Bool = true, codes: [Int] = [], jid: String? = nil, destroy: String? = nil
    ) -> OccupantPresence {
        var x = XMLElement("x", namespace: MUCXML.user)
        var item = XMLElement("item", namespace: MUCXML.user, attributes: ["affiliation": "none", "role": "participant"])
        if let jid { item.setAttribute("jid", jid) }
        x.append(item)
        for code in codes { x.append(XMLElement("status", namespace: MUCXML.user, attributes: ["code": String(code)])) }
        if let destroy {
            x.append(XMLElement("destroy", namespace: MUCXML.user) { XMLElement("reason", namespace: MUCXML.user, text: destroy) })
        }
        var stanza = XMLElement("presence", namespace: Namespace.client, attributes: ["from": "\(room)/\(nick)"])
        if !available { stanza.setAttribute("type", "unavailable") }
        stanza.append(x)
        return OccupantPresence(stanza)!
    }

    static func joins(_ actions: [RoomState.Action]) -> [String] {
        actions.compactMap { if case .join(let jid) = $0 { jid.resource } else { nil } }
    }

    @Test func joinsAfterEveryNewSessionButNotAfterAResumption() {
        var state = Self.state()
        #expect(Self.joins(state.online(resumed: false, now: .zero)) == ["sensor-7"])
        _ = state.selfPresence(Self.presence("sensor-7", codes: [110]), now: .zero)
        #expect(state.isJoined)
        state.offline()
        #expect(state.online(resumed: true, now: .seconds(1)).isEmpty)
        state.offline()
        #expect(Self.joins(state.online(resumed: false, now: .seconds(2))) == ["sensor-7"])
    }

    @Test func aResumptionRejoinsWhenTheRoomPresenceWasLost() {
        var state = Self.state()
        _ = state.online(resumed: false, now: .zero)
        _ = state.selfPresence(Self.presence("sensor-7", codes: [110]), now: .zero)
        state.offline()
        // While we were cut off the room went down and told us so (delivered on resumption).
        let actions = state.selfPresence(Self.presence("sensor-7", available: false, codes: [110, 332]), now: .seconds(1))
        #expect(actions.contains(.wake(at: .seconds(6))))
        #expect(state.online(resumed: true, now: .seconds(2)).isEmpty)  // backing off
        #expect(Self.joins(state.timerFired(now: .seconds(6))) == ["sensor-7"])
    }

    @Test func aNickConflictTriesOtherNicksThenBacksOff() {
        var state = Self.state()
        _ = state.online(resumed: false, now: .zero)
        #expect(Self.joins(state.joinFailed(StanzaError(.conflict), now: .zero)) == ["sensor-7-2"])
        #expect(Self.joins(state.joinFailed(StanzaError(.conflict), now: .zero)) == ["sensor-7-3"])
        let third = state.joinFailed(StanzaError(.conflict), now: .zero)
        #expect(Self.joins(third).isEmpty && third.contains(.wake(at: .seconds(5))))
        // After the wait: the configured nick again.
        #expect(Self.joins(state.timerFired(now: .seconds(5))) == ["sensor-7"])
        _ = state.selfPresence(Self.presence("sensor-7", codes: [110]), now: .seconds(5))
        #expect(state.nick == "sensor-7")
    }

    @Test func kicksBackOffDoublingAndAJoinResetsIt() {
        var state = Self.state()
        _ = state.online(resumed: false, now: .zero)
        var now = Duration.zero
        var waits: [Duration] = []
        for _ in 0..<4 {
            _ = state.selfPresence(Self.presence("sensor-7", codes: [110]), now: now)
            let actions = state.selfPresence(Self.presence("sensor-7", available: false, codes: [110, 307]), now: now)
            guard case .waiting(let until) = state.phase else { Issue.record("not waiting after a kick"); return }
            #expect(actions.contains(.wake(at: until)))
            waits.append(until - now)
            now = until
            _ = state.timerFired(now: now)
        }
        // A successful join between kicks resets the back-off.
        #expect(waits == [.seconds(5), .seconds(5), .seconds(5), .seconds(5)])
        // Failures without a successful join in between double the wait, up to the cap.
        var failing = Self.state()
        _ = failing.online(resumed: false, now: .zero)
        var delays: [Duration] = []
        now = .zero
        for _ in 0..<9 {
            _ = failing.joinFailed(StanzaError(.serviceUnavailable), now: now)
            guard case .waiting(let until) = failing.phase else { Issue.record("not waiting"); return }
            delays.append(until - now)
            now = until
            _ = failing.timerFired(now: now)
        }
        #expect(delays == [5, 10, 20, 40, 80, 160, 320, 600, 600].map { Duration.seconds($0) })
    }

    @Test(arguments: [
        (RoomStateTests.presence("sensor-7", available: false, codes: [110, 301]), "banned"),
        (RoomStateTests.presence("sensor-7", available: false, codes: [110, 321]), "removed"),
        (RoomStateTests.presence("sensor-7", available: false, codes: [110], destroy: "moved"), "destroyed: moved"),
    ])
    func bansAndDestructionWaitTheLongestAndSayWhy(presence: OccupantPresence, words: String) {
        var state = Self.state()
        _ = state.online(resumed: false, now: .zero)
        _ = state.selfPresence(Self.presence("sensor-7", codes: [110]), now: .zero)
        let actions = state.selfPresence(presence, now: .seconds(1))
        #expect(state.phase == .waiting(until: .seconds(601)))
        #expect(actions.contains { if case .logError(let text) = $0 { text.contains(words) } else { false } })
        // Nothing joins before the wait is over, however often the session comes back.
        state.offline()
        #expect(state.online(resumed: false, now: .seconds(2)).isEmpty)
        #expect(Self.joins(state.timerFired(now: .seconds(300))).isEmpty)
    }

    @Test(arguments: [StanzaError.Condition.notAuthorized, .forbidden, .registrationRequired])
    func refusalsTheOperatorMustFixWaitTheLongest(condition: StanzaError.Condition) {
        var state = Self.state()
        _ = state.online(resumed: false, now: .zero)
        let actions = state.joinFailed(StanzaError(condition), now: .zero)
        #expect(state.phase == .waiting(until: .seconds(600)))
        #expect(actions.contains { if case .logError = $0 { true } else { false } })
    }

    @Test func aCreatedRoomIsConfiguredAsAnInstantRoom() {
        var state = Self.state()
        _ = state.online(resumed: false, now: .zero)
        #expect(state.selfPresence(Self.presence("sensor-7", codes: [110, 201]), now: .zero).contains(.configureInstantRoom))
    }

    @Test func occupantsFollowPresenceAndNickChanges() {
        var occupants = RoomOccupants()
        occupants.apply(Self.presence("alice", jid: "alice@example.org/pc"))
        occupants.apply(Self.presence("anon"))
        #expect(occupants.realJID(of: "alice") == (try! JID("alice@example.org/pc")))
        #expect(occupants.realJID(of: "anon") == nil)
        var change = Self.presence("alice", available: false, codes: [303], jid: "alice@example.org/pc")
        change.newNick = "alice2"
        occupants.apply(change)
        #expect(occupants.realJID(of: "alice") == nil)
        #expect(occupants.realJID(of: "alice2") == (try! JID("alice@example.org/pc")))
        occupants.apply(Self.presence("alice2", available: false))
        #expect(occupants.byNick.keys.sorted() == ["anon"])
    }

    @Test(arguments: [
        ("sensor-7: read temperature", "read temperature"),
        ("sensor-7, status", "status"),
        ("sensor-7:status", "status"),
        ("sensor-70: status", nil),
        ("sensor-7", nil),
        ("sensor-7: ", nil),
        ("hello sensor-7: status", nil),
    ] as [(String, String?)])
    func groupMessagesAddressedToTheNick(body: String, command: String?) {
        #expect(RoomService.addressed(body, to: "sensor-7") == command)
    }

    @Test func theJoinCarriesThePresenceNoHistoryAndThePassword() throws {
        let presence = XMLElement("presence", namespace: Namespace.client) {
            XMLElement("show", text: "dnd")
            XMLElement("status", text: "failing: temperature")
        }
        let join = MUCXML.join(presence, occupant: try Self.room.with(resource: "sensor-7"), password: "s3cret")
        #expect(join.attribute("to") == "greenhouse@conference.example.org/sensor-7")
        #expect(join.child("show")?.text == "dnd")
        let x = try #require(join.child("x", namespace: MUCXML.namespace))
        #expect(x.child("history", namespace: MUCXML.namespace)?.attribute("maxstanzas") == "0")
        #expect(x.child("password", namespace: MUCXML.namespace)?.text == "s3cret")
    }
}
