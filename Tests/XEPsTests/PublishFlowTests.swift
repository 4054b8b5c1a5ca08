import Session
import Support
import Testing
import XMLStream
import XMPPCore

@testable import XEPs

/// The publisher's decisions walked event by event, with times given as arguments: the window
/// filling and refilling, acks and answers settling the outbox, refusals with their holds and
/// growing waits, the node fixed on a precondition, and a new stream after a failed resumption.
@Suite struct PublishFlowTests {
    typealias Action = PublishFlow.Action
    static let result: Result<XMLElement, RequestError> = .success(XMLElement("iq", namespace: Namespace.client))

    func flow(window: Int = 4, retry: Duration = .seconds(5), max: Duration = .seconds(60)) -> PublishFlow {
        PublishFlow(PublishFlow.Settings(window: window, retryInitial: retry, retryMax: max, node: "n"))
    }

    /// Online on a new stream with XEP-0198, the node ready, batches of three up to `available`.
    func ready(_ f: inout PublishFlow, available: UInt64 = 300) {
        _ = f.wentOnline(resumed: false, streamManagement: true)
        _ = f.outboxKnown(lastSequence: 0, epoch: f.epoch, at: .zero)
        f.nodeReady = true
        _ = f.storeAdvanced(to: available)
    }

    /// Sends batches of three from the cursor while the flow allows; returns their request ids.
    func fill(_ f: inout PublishFlow) -> [String] {
        var ids: [String] = []
        while f.canSend {
            let first = f.window.cursor + 1
            ids.append(f.sending(first: first, last: first + 2).requestID)
            f.sent()
        }
        return ids
    }

    /// Answers every publish in flight and acknowledges them all.
    func settleAll(_ f: inout PublishFlow, at now: Duration) {
        for entry in f.window.entries { _ = f.answered(entry.requestID, Self.result, at: now) }
        _ = f.acknowledged(through: f.window.cursor, at: now)
    }

    @Test func aNewStreamPreparesTheNodeBeforeSending() {
        var f = flow()
        #expect(f.wentOnline(resumed: false, streamManagement: true) == [.forgetReadAhead])
        #expect(f.outboxKnown(lastSequence: 0, epoch: f.epoch, at: .zero) == [.prepareNode(epoch: 1)])
        #expect(!f.canSend, "not before the node is ready")
        #expect(f.outboxKnown(lastSequence: 0, epoch: 0, at: .zero) == [], "an older connection's answer")
        f.nodeReady = true
        #expect(f.canSend)
    }

    @Test func theWindowFillsAsksForAcksAndRefillsAsTheyArrive() {
        var f = flow(window: 16)
        ready(&f)
        let ids = fill(&f)
        #expect(ids.count == 16 && f.window.isFull && !f.canSend)
        #expect(f.stoppedSending() == [.requestAcknowledgement], "a full window asks for acks at once")
        for id in ids { _ = f.answered(id, Self.result, at: .zero) }
        #expect(f.window.settledThrough == 0, "under XEP-0198 a result alone does not settle")
        #expect(f.acknowledged(through: 6, at: .zero) == [
            .log(.debug, "acknowledged through #6: 14 in flight, settled through #6"), .acknowledgeStore(through: 6), .pump,
        ])
        #expect(fill(&f).count == 2, "two slots free again")
        #expect(f.stoppedSending() == [], "one <r/> per quarter of the window, not one per refill")
    }

    @Test func withoutStreamManagementAResultSettles() {
        var f = flow()
        _ = f.wentOnline(resumed: false, streamManagement: false)
        f.nodeReady = true
        _ = f.storeAdvanced(to: 30)
        let id = f.sending(first: 1, last: 3).requestID
        f.sent()
        #expect(f.answered(id, Self.result, at: .zero) == [.acknowledgeStore(through: 3), .pump])
        #expect(f.stoppedSending() == [], "no acks to ask for")
    }

    /// Fills the window and refuses every publish with `error` (a refusal seldom concerns one
    /// item); they are acknowledged too: the window is quiet with a problem at its head.
    /// Returns the recovery decided.
    func refuseFirst(_ f: inout PublishFlow, _ error: StanzaError) -> PublishFlow.Recovery? {
        let ids = fill(&f)
        for id in ids { #expect(f.answered(id, .failure(.error(error)), at: .zero).isEmpty, "nothing before the window is quiet") }
        #expect(f.acknowledged(through: f.window.cursor, at: .zero).last == .recover)
        #expect(!f.canSend, "a problem stops the flow")
        return f.beginRecovery()?.0
    }

    @Test func aRefusalHoldsWithAGrowingWaitUntilAPublishGoesThrough() {
        var f = flow(retry: .seconds(5), max: .seconds(20))
        ready(&f)
        var waits: [Duration] = []
        for _ in 0..<4 {
            guard case .hold(let actions)? = refuseFirst(&f, StanzaError(.forbidden)) else { Issue.record("no hold"); return }
            if case .armHold(let delay)? = actions.last { waits.append(delay) }
            #expect(f.recoveryEnded() == [.pump])
            #expect(!f.canSend, "nothing goes out during a hold")
            #expect(f.window.cursor == 0, "the refused item and all after it go out again")
            #expect(f.holdEnded(lastSequence: 12, at: .seconds(1)).last == .pump)
            #expect(f.canSend)
        }
        #expect(waits == [.seconds(5), .seconds(10), .seconds(20), .seconds(20)])
        let id = fill(&f)[0]
        #expect(f.answered(id, Self.result, at: .zero).first == .log(.info, "publishing again after 4 failed attempts"))
        #expect(f.failures == 0)
        #expect(f.delayedThrough == 12, "what waited during the hold carries <delay/>")
    }

    @Test func theFirstRefusalIsAnErrorLineAndTheSameOneAgainIsNot() {
        var f = flow()
        ready(&f)
        var levels: [LogLevel] = []
        for _ in 0..<2 {
            guard case .hold(let actions)? = refuseFirst(&f, StanzaError(.forbidden)), case .log(let level, _)? = actions.first else {
                Issue.record("no hold")
                return
            }
            levels.append(level)
            _ = f.recoveryEnded()
            _ = f.holdEnded(lastSequence: 0, at: .zero)
        }
        #expect(levels == [.error, .debug])
    }

    @Test func aTemporaryRefusalWaitsAtMostASecondFirst() {
        var f = flow(retry: .seconds(5))
        ready(&f)
        guard case .hold(let actions)? = refuseFirst(&f, StanzaError(.resourceConstraint, kind: .wait)) else { Issue.record("no hold"); return }
        #expect(actions.last == .armHold(.seconds(1)))
    }

    @Test func aNewStreamEndsAHold() {
        var f = flow()
        ready(&f)
        _ = refuseFirst(&f, StanzaError(.forbidden))
        _ = f.recoveryEnded()
        _ = f.wentOffline()
        #expect(f.wentOnline(resumed: false, streamManagement: true).contains(.cancelHold))
        #expect(f.holdEnded(lastSequence: 0, at: .zero) == [], "the timer that fires anyway does nothing")
    }

    @Test func preconditionNotMetConfiguresTheNodeOnceThenHolds() {
        var f = flow()
        ready(&f)
        let precondition = StanzaError(.conflict, application: XMLElement("precondition-not-met", namespace: PubSubXML.errors))
        #expect(refuseFirst(&f, precondition) == .configureNode(precondition, item: 1))
        _ = f.recoveryEnded()
        #expect(f.canSend && f.window.cursor == 0, "sent again from the refused item once the node is configured")
        guard case .hold? = refuseFirst(&f, precondition) else { Issue.record("the second refusal does not hold"); return }
    }

    @Test func aMissingNodeIsCreated() {
        var f = flow()
        ready(&f)
        let missing = StanzaError(.itemNotFound)
        #expect(refuseFirst(&f, missing) == .createNode(missing, item: 1))
        #expect(f.nodeNotFixed(missing, item: 1).last == .armHold(.seconds(5)), "creating it failed: hold")
    }

    @Test func aMissingNodeIsCreatedAgainAfterEachHold() {
        var f = flow()
        ready(&f)
        let missing = StanzaError(.itemNotFound)
        let failed = StanzaError(.internalServerError, text: "Database failure")
        var waits: [Duration] = []
        for _ in 0..<3 {
            #expect(refuseFirst(&f, missing) == .createNode(missing, item: 1))
            if case .armHold(let delay)? = f.nodeNotFixed(failed, item: 1).last { waits.append(delay) }
            _ = f.recoveryEnded()
            #expect(f.holdEnded(lastSequence: 300, at: .zero).contains(.pump))
        }
        #expect(waits == [.seconds(5), .seconds(10), .seconds(20)], "the holds between attempts still grow")
    }

    @Test func publishOptionsRefusedAsSuchAreDroppedOnTheFirstRefusal() {
        var f = flow()
        ready(&f)
        f.usesPublishOptions = true
        let unknown = StanzaError(.resourceConstraint, text: "Unknown field 'pubsub#max_items'")
        #expect(refuseFirst(&f, unknown) == .stopUsingPublishOptions(unknown))
    }

    @Test func aPublishWhoseAnswerWasLostToACutIsSentAgain() {
        var f = flow()
        _ = f.wentOnline(resumed: false, streamManagement: false)
        f.nodeReady = true
        _ = f.storeAdvanced(to: 30)
        let id = f.sending(first: 1, last: 3).requestID
        #expect(f.answered(id, .failure(.offline), at: .zero) == [.recover])
        guard let (recovery, actions) = f.beginRecovery() else { Issue.record("nothing to recover"); return }
        #expect(recovery == .resend && actions.contains(.forgetReadAhead))
        #expect(f.recoveryEnded() == [.pump] && f.canSend && f.window.cursor == 0)
    }

    /// A server without PEP may drop a publish without a word (jabberd2 does, for one without
    /// `to`): no answer within the time limit is taken like a refusal, never as a reason to send
    /// the whole window again at once.
    @Test func aPublishLeftUnansweredHoldsLikeARefusalThenOneGoesFirst() {
        var f = PublishFlow(PublishFlow.Settings(window: 4, retryInitial: .seconds(5), retryMax: .seconds(60), node: "n", requestTimeout: .seconds(30)))
        _ = f.wentOnline(resumed: false, streamManagement: false)
        f.nodeReady = true
        _ = f.storeAdvanced(to: 300)
        var waits: [Duration] = []
        var lines: [PublishFlow.Action] = []
        for round in 0..<3 {
            let ids = fill(&f)
            #expect(ids.count == (round == 0 ? 4 : 1), "after a failure one publish probes; the window waits for its answer")
            for id in ids.dropLast() { #expect(f.answered(id, .failure(.timedOut), at: .zero).isEmpty) }
            #expect(f.answered(ids.last!, .failure(.timedOut), at: .zero) == [.recover])
            guard case .hold(let actions)? = f.beginRecovery()?.0 else { Issue.record("no hold"); return }
            lines.append(actions[0])
            if case .armHold(let delay)? = actions.last { waits.append(delay) }
            #expect(f.recoveryEnded() == [.pump] && !f.canSend, "nothing goes out during the hold")
            #expect(f.holdEnded(lastSequence: 0, at: .zero) == [.pump])
        }
        #expect(waits == [.seconds(5), .seconds(10), .seconds(20)])
        #expect(lines == [
            .log(.error, "publishing item 1 to 'n' got no answer within 30.0s; the readings stay in the outbox, next try in 5.0s"),
            .log(.debug, "publishing item 1 to 'n' got no answer within 30.0s (again); next try in 10.0s"),
            .log(.debug, "publishing item 1 to 'n' got no answer within 30.0s (again); next try in 20.0s"),
        ])
        let probe = fill(&f)
        #expect(probe.count == 1)
        _ = f.answered(probe[0], Self.result, at: .zero)
        #expect(f.failures == 0 && fill(&f).count == 4, "answered: the whole window again")
    }

    @Test func underStreamManagementAnAcknowledgedPublishLeftUnansweredDoesNotSettle() {
        var f = flow()
        ready(&f)
        let id = fill(&f)[0]
        _ = f.answered(id, .failure(.timedOut), at: .zero)
        let actions = f.acknowledged(through: 3, at: .zero)
        #expect(!actions.contains(.acknowledgeStore(through: 3)), "the server took it and said nothing: not delivered")
        #expect(f.window.settledThrough == 0 && f.window.problem?.requestID == id)
    }

    @Test func aNodeSetUpThatFailsHoldsThenSetsTheNodeUpAgain() {
        var f = flow()
        _ = f.wentOnline(resumed: false, streamManagement: true)
        #expect(f.outboxKnown(lastSequence: 0, epoch: f.epoch, at: .zero) == [.prepareNode(epoch: 1)])
        let problem = "cannot read the affiliations of node 'n'"
        #expect(f.nodeSetupFailed(problem) == [
            .log(.error, problem + "; the readings stay in the outbox, next try in 5.0s"), .cancelHold, .armHold(.seconds(5)),
        ])
        #expect(!f.canSend && f.holding)
        #expect(f.holdEnded(lastSequence: 0, at: .zero) == [.prepareNode(epoch: 1)], "set up again, not just pumped")
        #expect(f.nodeSetupFailed(problem).last == .armHold(.seconds(10)), "the wait doubles")
    }

    @Test func anAccountWithoutPEPIsAnErrorOnceAndNamesTheSetting() throws {
        var f = flow()
        let account = try JID("sensor@example.org")
        guard case .log(.error, let line)? = f.accountLacksPEP(account).first else { Issue.record("no error line"); return }
        #expect(line.contains("sensor@example.org") && line.contains("[publish] mode"))
        #expect(f.accountLacksPEP(account) == [.log(.debug, line)], "a new stream does not say it again")
    }

    @Test func aNewStreamAfterAFailedResumptionSendsAgainWhatWasNotAcknowledged() {
        var f = flow(window: 8)
        ready(&f)
        let ids = fill(&f)  // readings 1...24
        for id in ids.prefix(4) { _ = f.answered(id, Self.result, at: .zero) }
        _ = f.acknowledged(through: 6, at: .zero)
        _ = f.wentOffline()
        #expect(!f.canSend)
        // The session could not resume: a new stream. What the server answered stays; the
        // cursor moves back to where its knowledge ends, and the rest goes out again.
        #expect(f.wentOnline(resumed: false, streamManagement: true) == [
            .forgetReadAhead, .log(.debug, "sending 4 unacknowledged publishes again from #13 (2 kept, settled through #6)"),
        ])
        #expect(f.generation == 2 && !f.nodeReady && f.window.cursor == 12)
        #expect(f.outboxKnown(lastSequence: 40, epoch: f.epoch, at: .seconds(3)) == [
            .log(.info, "publishing the backlog: readings up to #40 carry <delay/>"), .prepareNode(epoch: f.epoch),
        ])
        f.nodeReady = true
        #expect(f.sending(first: 13, last: 15).delayed)
        f.sent()
        _ = fill(&f)  // through #30
        settleAll(&f, at: .seconds(5))
        _ = fill(&f)  // through #54
        for entry in f.window.entries { _ = f.answered(entry.requestID, Self.result, at: .zero) }
        #expect(f.acknowledged(through: f.window.cursor, at: .seconds(10)).contains(.log(.info, "backlog published: readings #7–#40 in 7.0s")))
        #expect(!f.sending(first: 100, last: 102).delayed, "taken live")
    }

    @Test func aResumedStreamKeepsItsPublishesInFlight() {
        var f = flow()
        ready(&f)
        let ids = fill(&f)
        _ = f.wentOffline()
        #expect(f.wentOnline(resumed: true, streamManagement: true) == [.forgetReadAhead])
        #expect(f.generation == 1 && f.nodeReady && f.window.count == ids.count)
        #expect(f.outboxKnown(lastSequence: 0, epoch: f.epoch, at: .zero) == [.pump])
    }
}
