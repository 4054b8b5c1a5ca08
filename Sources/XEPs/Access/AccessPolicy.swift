package import XMPPCore

/// What an entity may do with the device.
package enum Role: Int, Sendable, Comparable, CustomStringConvertible {
    /// Not configured: refused everything with `<forbidden/>`.
    case stranger
    /// `[access] viewers`: may read.
    case viewer
    /// `[access] operators` (and the device's own account): may read and control.
    case `operator`

    package static func < (lhs: Role, rhs: Role) -> Bool { lhs.rawValue < rhs.rawValue }

    package var description: String {
        switch self {
        case .stranger: "stranger"
        case .viewer: "viewer"
        case .operator: "operator"
        }
    }
}

/// Who may read and who may control, from the `[access]` section. Entries are bare JIDs
/// (`alice@example.org`) or domains (`example.org`: everyone there).
package struct AccessPolicy: Sendable {
    private let operators: [String]
    private let viewers: [String]
    private let account: JID

    /// The device's own account (bare JID).
    package var accountJID: JID { account }

    package init(operators: [String], viewers: [String], account: JID) {
        // Entries are compared in prepared form, as JIDs are (case, trailing dot).
        self.operators = operators.map(Self.prepare)
        self.viewers = viewers.map(Self.prepare)
        self.account = account.bare
    }

    /// The accounts listed as operators or viewers (not domain entries, not the device's own
    /// account), operators first: whom enrollment asks for a presence subscription.
    package var listedAccounts: [JID] {
        (operators + viewers).compactMap { entry in
            guard entry.contains("@"), let jid = try? JID(entry), jid.bare != account else { return nil }
            return jid.bare
        }
    }

    /// The role of the entity at `jid`; nil (no `from`) means our own server.
    package func role(of jid: JID?) -> Role {
        guard let jid else { return .stranger }
        if jid.bare == account { return .operator }  // the device's own account, e.g. an admin resource
        if Self.matches(jid, operators) { return .operator }
        if Self.matches(jid, viewers) { return .viewer }
        return .stranger
    }

    /// The domain entry through which `jid` has `role`, or nil when a bare JID entry (or the
    /// account itself) gives it: accounts let in by one domain entry share a budget.
    package func domainEntry(of jid: JID, role: Role) -> String? {
        let entries = role == .operator ? operators : role == .viewer ? viewers : []
        guard jid.bare != account, jid.local != nil, !entries.contains(jid.bare.description) else { return nil }
        return entries.contains(jid.domain) ? jid.domain : nil
    }

    private static func matches(_ jid: JID, _ entries: [String]) -> Bool {
        let bare = jid.bare.description
        return entries.contains { entry in entry.contains("@") ? entry == bare : (jid.local != nil && entry == jid.domain) }
    }

    private static func prepare(_ entry: String) -> String {
        (try? JID(entry).description) ?? entry.lowercased()
    }
}
