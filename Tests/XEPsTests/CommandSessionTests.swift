import Testing
import XMPPCore

@testable import XEPs

/// The session state machine and the session table, with time as a plain value.
@Suite struct CommandSessionTests {
    static func session(stages: Int = 2) -> CommandSession {
        CommandSession(id: "s", node: "set-control", owner: alice, stageCount: stages, now: .zero)
    }

    @Test func actionsFollowTheStage() {
        var session = Self.session(stages: 3)
        #expect(session.actions == CommandActions(allowed: [.next], execute: .next))
        session.advance()
        #expect(session.actions == CommandActions(allowed: [.prev, .next], execute: .next))
        session.advance()
        #expect(session.actions == CommandActions(allowed: [.prev, .complete], execute: .complete))
        #expect(Self.session(stages: 1).actions == CommandActions(allowed: [.complete], execute: .complete))
    }

    /// (stage, action) -> the move, or the XEP-0050 condition it is refused with.
    @Test(arguments: [
        (0, nil, "forward(final: false)"), (0, .execute, "forward(final: false)"), (0, .next, "forward(final: false)"),
        (0, .cancel, "cancel"), (0, .prev, "bad-action"), (0, .complete, "bad-action"),
        (1, nil, "forward(final: true)"), (1, .execute, "forward(final: true)"), (1, .complete, "forward(final: true)"),
        (1, .prev, "back"), (1, .cancel, "cancel"), (1, .next, "bad-action"),
    ] as [(Int, AdHoc.Action?, String)])
    func moves(stage: Int, action: AdHoc.Action?, expected: String) {
        var session = Self.session()
        if stage == 1 { session.advance() }
        do {
            #expect("\(try session.move(for: action))" == expected)
        } catch {
            #expect(error.application?.name == expected)
            #expect(error.condition == .badRequest)
        }
    }

    @Test func goingBackKeepsThatStagesAnswerAndForgetsLaterOnes() {
        var session = Self.session()
        session.record(DataForm(.submit, fields: [DataFormField("control", values: ["relay"])]))
        session.advance()
        session.record(DataForm(.submit, fields: [DataFormField("value", values: ["1"])]))
        session.goBack()
        #expect(session.stage == 0)
        #expect(session.submitted[0]?.value("control") == "relay")
        #expect(session.submitted[1] == nil)
    }

    @Test func sessionsExpireAfterTheirLifetimeOfIdleness() throws {
        var table = CommandSessionTable(lifetime: .seconds(60))
        _ = try table.open(id: "a", node: "n", owner: alice, stageCount: 2, now: .zero)
        _ = try table.session("a", node: "n", owner: alice, now: .seconds(59))  // touching restarts the lifetime
        _ = try table.session("a", node: "n", owner: alice, now: .seconds(118))
        #expect(throws: StanzaError.self) { try table.session("a", node: "n", owner: alice, now: .seconds(178)) }
        #expect(table.count == 0)
        #expect(expiredCondition { try table.session("a", node: "n", owner: alice, now: .seconds(179)) } == "session-expired")
    }

    @Test func cancelEndsLiveAndJustExpiredSessionsOnly() throws {
        var table = CommandSessionTable(lifetime: .seconds(60))
        _ = try table.open(id: "a", node: "n", owner: alice, stageCount: 2, now: .zero)
        _ = try table.open(id: "b", node: "n", owner: alice, stageCount: 2, now: .zero)
        try table.cancel("a", node: "n", owner: alice, now: .seconds(1))
        #expect(table.count == 1)
        try table.cancel("b", node: "n", owner: alice, now: .seconds(120))  // expired meanwhile
        #expect(throws: StanzaError.self) { try table.cancel("b", node: "n", owner: alice, now: .seconds(121)) }
        #expect(throws: StanzaError.self) { try table.cancel("a", node: "n", owner: alice, now: .seconds(121)) }
    }

    @Test func aSessionBelongsToItsOwnerAndCommand() throws {
        var table = CommandSessionTable()
        _ = try table.open(id: "a", node: "n", owner: alice, stageCount: 1, now: .zero)
        let otherResource = try alice.bare.with(resource: "laptop")
        #expect(expiredCondition { try table.session("a", node: "n", owner: otherResource, now: .zero) } == "bad-sessionid")
        #expect(expiredCondition { try table.session("a", node: "other", owner: alice, now: .zero) } == "bad-sessionid")
        #expect(expiredCondition { try table.session("zzz", node: "n", owner: alice, now: .zero) } == "bad-sessionid")
        #expect(try table.session("a", node: "n", owner: alice, now: .zero).id == "a")
    }

    @Test func theTableIsBounded() throws {
        var table = CommandSessionTable(lifetime: .seconds(60), shares: SharePolicy(perConsumer: 2, perDomain: 2, viewers: 3, operators: 1))
        _ = try table.open(id: "1", node: "n", owner: alice, stageCount: 1, now: .zero)
        _ = try table.open(id: "2", node: "n", owner: alice, stageCount: 1, now: .zero)
        #expect(throws: StanzaError.self) { try table.open(id: "3", node: "n", owner: alice, stageCount: 1, now: .zero) }
        _ = try table.open(id: "3", node: "n", owner: bob, stageCount: 1, now: .zero)
        #expect(throws: StanzaError.self) { try table.open(id: "4", node: "n", owner: mallory, stageCount: 1, now: .zero) }
        // Expired sessions make room.
        _ = try table.open(id: "4", node: "n", owner: mallory, stageCount: 1, now: .seconds(60))
        #expect(table.count == 1)
    }

    @Test func viewersCannotTakeTheOperatorsSessions() throws {
        var table = CommandSessionTable(lifetime: .seconds(60), shares: SharePolicy(perConsumer: 8, perDomain: 8, viewers: 4, operators: 2))
        let viewers = try (0..<8).map { try JID("v\($0)@example.org/c") }
        let opened = viewers.enumerated().filter { index, viewer in
            (try? table.open(id: "v\(index)", node: "n", owner: viewer, stageCount: 1, now: .zero)) != nil
        }
        #expect(opened.count == 4)
        let operatorSession = try table.open(
            id: "o", node: "n", owner: alice, as: Consumer(jid: alice, role: .operator), stageCount: 1, now: .zero)
        #expect(operatorSession.id == "o")
        // Closing gives the share back.
        table.close("v0")
        _ = try table.open(id: "v8", node: "n", owner: viewers[0], stageCount: 1, now: .zero)
    }

    @Test func updatesDoNotResurrectClosedSessions() throws {
        var table = CommandSessionTable()
        var session = try table.open(id: "a", node: "n", owner: alice, stageCount: 2, now: .zero)
        table.close("a")
        session.advance()
        table.update(session)
        #expect(table.count == 0)
    }

    private func expiredCondition(_ body: () throws -> CommandSession) -> String? {
        do {
            _ = try body()
            return nil
        } catch {
            return (error as? StanzaError)?.application?.name
        }
    }
}
