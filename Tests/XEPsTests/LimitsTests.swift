import Testing
import XMPPCore
@testable import XEPs

/// The consumers these tests count.
private enum Who {
    static func jid(_ text: String) -> JID { try! JID(text) }
    static let bob = Consumer(jid: Who.jid("bob@example.org/phone"), role: .viewer)
    static let carol = Consumer(jid: Who.jid("carol@example.org"), role: .viewer, domain: "example.org")
    static let dave = Consumer(jid: Who.jid("dave@example.org"), role: .viewer, domain: "example.org")
    static let alice = Consumer(jid: Who.jid("alice@example.org"), role: .operator)
    static let mallory = Consumer(jid: Who.jid("mallory@evil.example"), role: .stranger)
}

struct TokenBucketTests {
    /// (seconds since the start, whether a request is let through).
    @Test(arguments: [
        // 2 a second, burst 3: three at once, then one per half second.
        [(0.0, true), (0.0, true), (0.0, true), (0.0, false), (0.4, false), (0.5, true), (0.5, false), (1.0, true)],
        // A long pause refills only up to the burst.
        [(0.0, true), (0.0, true), (0.0, true), (100.0, true), (100.0, true), (100.0, true), (100.0, false)],
    ])
    func letsThroughTheRateAndTheBurst(steps: [(Double, Bool)]) {
        let limit = RateLimit(rate: 2, burst: 3)
        var bucket = TokenBucket(limit, now: .zero)
        for (index, (at, allowed)) in steps.enumerated() {
            let wait = bucket.take(limit, at: .milliseconds(Int(at * 1000)))
            #expect((wait == nil) == allowed, "step \(index) at \(at) s")
        }
    }

    @Test func saysHowLongUntilTheNextToken() {
        let limit = RateLimit(rate: 4, burst: 1)
        var bucket = TokenBucket(limit, now: .zero)
        #expect(bucket.take(limit, at: .zero) == nil)
        #expect(bucket.take(limit, at: .milliseconds(100)) == .milliseconds(150))
    }

    @Test func unlimitedNeverRefuses() {
        var bucket = TokenBucket(.unlimited, now: .zero)
        for _ in 0..<1000 { #expect(bucket.take(.unlimited, at: .zero) == nil) }
    }
}

struct ShareTableTests {
    static let policy = SharePolicy(perConsumer: 2, perDomain: 3, viewers: 4, operators: 2)

    @Test func aConsumerGetsItsShareAndNoMore() {
        var table = ShareTable(Self.policy)
        #expect(table.acquire(Who.bob) == nil)
        #expect(table.acquire(Who.bob) == nil)
        #expect(table.acquire(Who.bob) == .consumer(2))
        table.release(Who.bob)
        #expect(table.acquire(Who.bob) == nil)
        #expect(table.held(by: Who.bob) == 2)
    }

    @Test func accountsOfOneDomainEntryShareItsShare() {
        var table = ShareTable(Self.policy)
        #expect(table.acquire(Who.carol) == nil)
        #expect(table.acquire(Who.carol) == nil)
        #expect(table.acquire(Who.dave) == nil)
        #expect(table.acquire(Who.dave) == .domain("example.org", 3))
        #expect(table.acquire(Who.bob) == nil)  // listed by JID: not in the domain's share
    }

    @Test func viewersCanNeverUseUpTheOperatorsPool() {
        var table = ShareTable(Self.policy)
        let viewers = (1...4).map { Consumer(jid: Who.jid("v\($0)@example.net"), role: .viewer) }
        for viewer in viewers { #expect(table.acquire(viewer) == nil) }
        #expect(table.acquire(Consumer(jid: Who.jid("v5@example.net"), role: .viewer)) == .role(.viewer, 4))
        #expect(table.acquire(Who.alice) == nil)
        #expect(table.acquire(Consumer(jid: Who.jid("oscar@example.org"), role: .operator)) == nil)
        #expect(table.acquire(Consumer(jid: Who.jid("olga@example.org"), role: .operator)) == .role(.operator, 2))
        #expect(table.acquire(Who.mallory) == .role(.stranger, 0))
    }

    @Test func releasingWhatWasNeverTakenChangesNothing() {
        var table = ShareTable(Self.policy)
        table.release(Who.bob)
        #expect(table.held(by: Who.bob) == 0)
        #expect(table.held(by: .viewer) == 0)
    }
}

struct RequestBudgetsTests {
    static var policy: RequestBudgets.Policy {
        var policy = RequestBudgets.Policy()
        policy.viewer = RateLimit(rate: 1, burst: 2)
        policy.domain = RateLimit(rate: 1, burst: 3)
        policy.operator = RateLimit(rate: 10, burst: 5)
        policy.refusals = RateLimit(rate: 0.1, burst: 2)
        policy.allRefusals = RateLimit(rate: 100, burst: 100)
        return policy
    }

    @Test func aFloodGetsAFewRefusalsAndTheRestIsDropped() {
        var budgets = RequestBudgets(policy: Self.policy)
        let verdicts = (0..<8).map { _ in budgets.admit(Who.bob, at: .zero) }
        #expect(verdicts == [.admit, .admit, .refuse(retryAfter: .seconds(1)), .refuse(retryAfter: .seconds(1)),
                             .drop, .drop, .drop, .drop])
        // Ten seconds later one more refusal is answered; the bucket has refilled meanwhile.
        #expect(budgets.admit(Who.bob, at: .seconds(10)) == .admit)
    }

    /// The defaults: a client that logs in (disco, caps, version, last activity, commands: a
    /// dozen at once) and then polls cheap queries twice a second for an hour is never refused,
    /// and neither is its domain; one asking 50 times a second is refused within its first second.
    @Test func theDefaultsLetAClientPollAndRefuseAFlood() {
        var budgets = RequestBudgets()
        let login = (0..<12).map { _ in budgets.admit(Who.carol, at: .zero) }
        #expect(login.allSatisfy { $0 == .admit })
        let polls = (1...7200).map { budgets.admit(Who.carol, at: .milliseconds(500 * $0)) }
        #expect(polls.allSatisfy { $0 == .admit })

        let flood = (1...50).map { budgets.admit(Who.dave, at: .milliseconds(20 * $0)) }
        #expect(flood.prefix(20).allSatisfy { $0 == .admit })
        #expect(flood.contains { if case .refuse = $0 { true } else { false } })
    }

    @Test func oneAccountsFloodDoesNotSpendItsDomainsBudget() {
        var budgets = RequestBudgets(policy: Self.policy)
        for _ in 0..<50 { _ = budgets.admit(Who.carol, at: .zero) }  // 2 through, 48 refused by Who.carol's own bucket
        #expect(budgets.admit(Who.dave, at: .zero) == .admit)  // the domain had 3: Who.carol spent 2
        #expect(budgets.admit(Who.dave, at: .zero) == .refuse(retryAfter: .seconds(1)))  // now the domain's are gone
    }

    @Test func operatorsHaveTheirOwnRate() {
        var budgets = RequestBudgets(policy: Self.policy)
        for _ in 0..<20 { _ = budgets.admit(Who.bob, at: .zero) }
        let admitted = (0..<5).map { _ in budgets.admit(Who.alice, at: .zero) }
        #expect(admitted.allSatisfy { $0 == .admit })
    }

    @Test func strangersOnlyEverGetRefusalsAndFewOfThem() {
        var budgets = RequestBudgets(policy: Self.policy)
        let verdicts = (0..<5).map { _ in budgets.admit(Who.mallory, at: .zero) }
        #expect(verdicts == [.refuse(retryAfter: .zero), .refuse(retryAfter: .zero), .drop, .drop, .drop])
    }

    @Test func refusalsInAllAreCappedToo() {
        var policy = Self.policy
        policy.allRefusals = RateLimit(rate: 1, burst: 3)
        var budgets = RequestBudgets(policy: policy)
        let answered = (0..<10).filter { budgets.answersRefusal(to: Who.jid("s\($0)@evil.example"), at: .zero) }
        #expect(answered.count == 3)
    }

    @Test func quietSendersAreForgottenWhenTheTableIsFull() {
        var policy = Self.policy
        policy.capacity = 4
        var budgets = RequestBudgets(policy: policy)
        for n in 0..<4 { _ = budgets.admit(Consumer(jid: Who.jid("v\(n)@example.net"), role: .viewer), at: .zero) }
        _ = budgets.admit(Consumer(jid: Who.jid("late@example.net"), role: .viewer), at: .seconds(100))
        #expect(budgets.remembered == 1)
    }
}

struct RefusalLogTests {
    @Test func aFloodFromOneSenderIsOneLineThenASummary() {
        var log = RefusalLog(window: .seconds(60))
        let sender = Who.jid("mallory@evil.example")
        #expect(log.record(sender, "refused req from Who.mallory", at: .zero) == ["refused req from Who.mallory"])
        for second in 1...40 { #expect(log.record(sender, "refused again", at: .seconds(second)).isEmpty) }
        #expect(log.nextSummary == .seconds(60))
        #expect(log.flush(at: .seconds(59)).isEmpty)
        #expect(log.flush(at: .seconds(60)) == ["40 more refused from mallory@evil.example in the last minute"])
        #expect(log.nextSummary == nil)
        // The next minute starts afresh with a line of its own.
        #expect(log.record(sender, "refused req from Who.mallory", at: .seconds(61)) == ["refused req from Who.mallory"])
    }

    @Test func aSenderRefusedOnceGetsNoSummary() {
        var log = RefusalLog(window: .seconds(60))
        _ = log.record(Who.jid("a@example.org"), "one", at: .zero)
        #expect(log.nextSummary == nil)
        #expect(log.flush(at: .seconds(120)).isEmpty)
    }

    @Test func aSummaryDueIsWrittenBeforeTheNextWindowsFirstLine() {
        var log = RefusalLog(window: .seconds(60))
        let sender = Who.jid("mallory@evil.example")
        _ = log.record(sender, "first", at: .zero)
        _ = log.record(sender, "second", at: .seconds(1))
        #expect(log.record(sender, "third", at: .seconds(70)) == ["1 more refused from mallory@evil.example in the last minute", "third"])
    }

    @Test func manySendersAreSummedUpTogetherPastTheCapacity() {
        var log = RefusalLog(window: .seconds(60), capacity: 2)
        var lines: [String] = []
        for n in 0..<10 { lines += log.record(Who.jid("s\(n)@evil.example"), "refused s\(n)", at: .zero) }
        #expect(lines == ["refused s0", "refused s1"])
        #expect(log.flush(at: .seconds(60)) == ["8 more refused from other senders in the last minute"])
    }
}
