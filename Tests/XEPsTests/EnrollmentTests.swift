import Testing
import XMPPCore
@testable import XEPs

@Suite struct EnrollmentTests {
    static let alice = try! JID("alice@example.org")
    static let bob = try! JID("bob@example.org")
    static let device = try! JID("sensor-7@example.org")

    static func item(_ jid: JID, _ subscription: Roster.Subscription, asked: Bool = false) -> Roster.Item {
        Roster.Item(jid: jid, subscription: subscription, pendingOut: asked)
    }

    @Test func listedAccountsLeaveOutDomainsAndTheDeviceItself() {
        let access = AccessPolicy(
            operators: ["Alice@Example.org", "example.net", "sensor-7@example.org"], viewers: ["bob@example.org", "alice@example.org"],
            account: Self.device)
        #expect(access.listedAccounts == [Self.alice, Self.bob, Self.alice])
        #expect(Enrollment(accounts: access.listedAccounts).accounts == [Self.alice, Self.bob])
    }

    @Test(arguments: [
        (nil, false, Enrollment.Standing.ask),
        (Roster.Subscription.to, false, .granted),
        (.both, false, .granted),
        (Roster.Subscription.none, true, .pending),
        (.from, true, .pending),
        (.from, false, .following),
        (Roster.Subscription.none, false, .refused),
    ])
    func standingFollowsTheRoster(subscription: Roster.Subscription?, asked: Bool, expected: Enrollment.Standing) {
        let enrollment = Enrollment(accounts: [Self.alice])
        let item = subscription.map { Self.item(Self.alice, $0, asked: asked) }
        #expect(enrollment.standing(Self.alice, item: item) == expected)
    }

    @Test func asksOnceAcrossLoginsEvenWhenTheRosterHasNotCaughtUp() {
        var enrollment = Enrollment(accounts: [Self.alice, Self.bob])
        let granted = [Self.bob: Self.item(Self.bob, .both)]
        let first = enrollment.accountsToAsk { granted[$0] }
        #expect(first == [Self.alice])
        // The next login's roster does not show the request (lost, or not pushed yet): still not asked.
        let second = enrollment.accountsToAsk { granted[$0] }
        #expect(second == [])
        #expect(enrollment.standing(Self.alice, item: nil) == .pending)
    }

    @Test func aRefusalIsNeverAskedAgainUntilTheContactAsks() {
        var enrollment = Enrollment(accounts: [Self.alice])
        let first = enrollment.accountsToAsk { _ in nil }
        #expect(first == [Self.alice])
        enrollment.noteRefused(Self.alice)
        let again = enrollment.accountsToAsk { _ in nil }
        #expect(again.isEmpty)
        // A new process knows only the roster: the item the refusal left behind says the same.
        var restarted = Enrollment(accounts: [Self.alice])
        let afterRestart = restarted.accountsToAsk { _ in Self.item(Self.alice, .none) }
        #expect(afterRestart.isEmpty)
        // Alice subscribes to the device after all: she is asked in return, once.
        let invited = enrollment.mayReciprocate(Self.alice, item: Self.item(Self.alice, .from))
        let twice = enrollment.mayReciprocate(Self.alice, item: Self.item(Self.alice, .from))
        #expect(invited && !twice)
    }

    @Test func reciprocationSkipsWhatIsGrantedOrPending() {
        var enrollment = Enrollment(accounts: [])
        let granted = enrollment.mayReciprocate(Self.alice, item: Self.item(Self.alice, .to))
        let pending = enrollment.mayReciprocate(Self.alice, item: Self.item(Self.alice, .none, asked: true))
        let fresh = enrollment.mayReciprocate(Self.bob, item: nil)
        let again = enrollment.mayReciprocate(Self.bob, item: nil)
        #expect(!granted && !pending && fresh && !again)
    }
}
