import Testing
import XMPPCore
@testable import XEPs

/// The bookkeeping of publishes in flight: when readings may leave the outbox.
@Suite struct DeliveryWindowTests {
    /// A window with batches of three readings sent: 1-3, 4-6, 7-9, ...
    static func window(sent count: Int, tracked: Bool = true, capacity: Int = 8) -> DeliveryWindow {
        var window = DeliveryWindow(capacity: capacity)
        for i in 0..<UInt64(count) {
            window.sent(first: i * 3 + 1, last: i * 3 + 3, requestID: "p\(i)", tracked: tracked)
        }
        return window
    }

    @Test func underStreamManagementAPublishSettlesOnItsAckAndAnAnswer() {
        var window = Self.window(sent: 3)
        #expect(window.answered("p0", .published) == nil, "an answer alone does not settle under XEP-0198")
        #expect(window.acknowledged(through: 6) == 3, "acked through 6, but p1 has no answer yet")
        #expect(window.answered("p1", .unknown) == 6, "acked and its answer lost to a cut: the server has it")
        #expect(window.count == 1 && window.cursor == 9)
        #expect(window.acknowledged(through: 42) == nil, "a tag the window does not know changes nothing")
        #expect(window.settledThrough == 6)
    }

    @Test func withoutStreamManagementAPublishSettlesOnItsResult() {
        var window = Self.window(sent: 2, tracked: false)
        #expect(window.answered("p1", .published) == nil, "in order: p0 first")
        #expect(window.answered("p0", .published) == 6)
        #expect(window.isEmpty && window.problem == nil)
        var lost = Self.window(sent: 1, tracked: false)
        _ = lost.answered("p0", .unknown)
        #expect(lost.problem?.requestID == "p0", "no XEP-0198 and no answer: it must go again")
    }

    @Test func aPublishLeftUnansweredIsAProblemEvenWhenAcknowledged() {
        var window = Self.window(sent: 2)
        #expect(window.answered("p0", .unanswered) == nil)
        #expect(window.acknowledged(through: 6) == nil, "acked, but the server never answered it: not delivered")
        #expect(window.problem?.requestID == "p0")
        #expect(window.restart() == 2 && window.cursor == 0, "a new stream sends it again, and all after it")
    }

    @Test func aRefusalStopsSettlementUntilTheWindowIsQuiet() {
        var window = Self.window(sent: 3)
        _ = window.answered("p1", .refused(StanzaError(.forbidden)))
        _ = window.answered("p0", .published)
        _ = window.answered("p2", .published)
        #expect(window.acknowledged(through: 6) == 3, "p0 settles; p1 was refused")
        #expect(window.problem?.requestID == "p1")
        #expect(!window.isQuiet, "p2 is not acknowledged yet")
        #expect(window.acknowledged(through: 9) == nil, "nothing after a refusal settles")
        #expect(window.isQuiet)
        let dropped = window.dropFromProblem()
        #expect(dropped?.first == 4 && window.cursor == 3 && window.isEmpty, "sent again from the refused batch")
    }

    @Test func aNewStreamKeepsWhatTheServerHasAndSendsTheRestAgain() {
        var window = Self.window(sent: 4)
        _ = window.answered("p0", .published)  // answered, not acked yet
        _ = window.acknowledged(through: 3)
        #expect(window.settledThrough == 3)
        var handled = Self.window(sent: 4)
        _ = handled.acknowledged(through: 6)  // handled, answers still to come
        #expect(handled.restart() == 2)
        #expect(handled.cursor == 6 && handled.count == 2)
        _ = handled.answered("p0", .unknown)
        #expect(handled.answered("p1", .unknown) == 6)

        var fresh = Self.window(sent: 3)
        #expect(fresh.restart() == 3)
        #expect(fresh.cursor == 0 && fresh.isEmpty)
    }

    @Test func capacityAndTakingBackAnUnsentPublish() {
        var window = Self.window(sent: 2, capacity: 2)
        #expect(window.isFull)
        window.unsend("p0")
        #expect(window.count == 2, "only the newest publish can be taken back")
        window.unsend("p1")
        #expect(window.count == 1 && window.cursor == 3 && !window.isFull)
    }
}
