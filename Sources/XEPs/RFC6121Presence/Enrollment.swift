package import XMPPCore

/// Enrollment: the device asks each account listed in `[access]` for a presence subscription,
/// so that the people and services it serves see it appear in their clients and only have to
/// accept. A pure value; the presence service holds it and sends what it decides.
///
/// It never asks twice in a row and never asks again after a refusal. What survives a restart
/// is the roster, which the server keeps: an item with our request pending (`ask`), an
/// established subscription in either direction, or an item left behind with neither (the
/// contact refused or cancelled) all mean "do not ask". What this value remembers on top
/// (asked and refused in this process) covers a roster that has not caught up yet.
package struct Enrollment: Sendable {
    /// The listed accounts (bare JIDs), in config order; domain entries are not accounts.
    package let accounts: [JID]
    private var asked: Set<JID> = []
    private var refused: Set<JID> = []

    /// Why an account is not asked at login.
    package enum Standing: Sendable, Hashable {
        /// To be asked now.
        case ask
        /// We receive their presence (`to`, `both`).
        case granted
        /// Our request waits for their answer (`ask='subscribe'`), or went out in this process.
        case pending
        /// They receive ours already (`from`): the device shows in their client.
        case following
        /// They refused or cancelled: the item stays in the roster with no subscription.
        case refused
    }

    package init(accounts: [JID]) {
        var seen: Set<JID> = []
        self.accounts = accounts.map(\.bare).filter { seen.insert($0).inserted }
    }

    /// Where `account` stands, given its roster item (nil: not in the roster).
    package func standing(_ account: JID, item: Roster.Item?) -> Standing {
        let jid = account.bare
        if refused.contains(jid) { return .refused }
        if let item {
            if item.subscription.weReceiveTheirs { return .granted }
            if item.pendingOut { return .pending }
            if item.subscription.theyReceiveOurs { return .following }
            return .refused
        }
        return asked.contains(jid) ? .pending : .ask
    }

    /// At login, once the roster is loaded: the accounts to ask now, each marked asked.
    package mutating func accountsToAsk(roster: (JID) -> Roster.Item?) -> [JID] {
        let due = accounts.filter { standing($0, item: roster($0)) == .ask }
        asked.formUnion(due)
        return due
    }

    /// `jid` asked for our presence: whether to ask for theirs in return (RFC 6121 reciprocation).
    /// Not when we receive it or asked already, in the roster or in this process. Their request
    /// lifts an earlier refusal. Marks it asked if so.
    package mutating func mayReciprocate(_ jid: JID, item: Roster.Item?) -> Bool {
        let jid = jid.bare
        refused.remove(jid)
        if asked.contains(jid) || item?.pendingOut == true || item?.subscription.weReceiveTheirs == true { return false }
        asked.insert(jid)
        return true
    }

    /// `jid` answered `unsubscribed`: refused, or cancelled what it had granted.
    package mutating func noteRefused(_ jid: JID) {
        refused.insert(jid.bare)
        asked.remove(jid.bare)
    }
}
