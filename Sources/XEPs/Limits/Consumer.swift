package import XMPPCore

/// Who uses the device, as budgets count them: the bare JID, its role, and the `[access]`
/// domain entry it is allowed through, if any (every account of `example.org` shares that
/// domain's budget as well as having its own).
package struct Consumer: Sendable, Hashable, CustomStringConvertible {
    package let jid: JID
    package let role: Role
    /// The domain entry that gave the role (`example.org` in `viewers`), nil for a JID entry.
    package let domain: String?

    package init(jid: JID, role: Role, domain: String? = nil) {
        self.jid = jid.bare
        self.role = role
        self.domain = domain
    }

    package var description: String { jid.description }
}

extension AccessPolicy {
    /// The consumer at `jid`: its role and the domain entry behind it.
    package func consumer(_ jid: JID) -> Consumer {
        let role = role(of: jid)
        return Consumer(jid: jid, role: role, domain: domainEntry(of: jid, role: role))
    }

    /// The consumer at `jid` with the role the caller already decided (the router raises our own
    /// server to operator).
    package func consumer(_ jid: JID, role: Role) -> Consumer {
        Consumer(jid: jid, role: role, domain: domainEntry(of: jid, role: role))
    }
}
