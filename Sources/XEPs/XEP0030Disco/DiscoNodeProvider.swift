package import XMPPCore

/// One `<item/>` of a disco#items answer (XEP-0030 §4).
package struct DiscoItem: Sendable, Hashable {
    package var jid: JID
    package var node: String?
    package var name: String?

    package init(jid: JID, node: String? = nil, name: String? = nil) {
        self.jid = jid
        self.node = node
        self.name = name
    }
}

/// One `<identity/>` of a disco#info answer (XEP-0030 §3); category and type come from the
/// XMPP registrar (`client`/`bot`, `automation`/`command-list`, ...).
package struct DiscoIdentity: Sendable, Hashable {
    package var category: String
    package var type: String
    package var name: String?
    /// The `xml:lang` of `name`, if the name is in a stated language.
    package var language: String?

    package init(category: String, type: String, name: String? = nil, language: String? = nil) {
        self.category = category
        self.type = type
        self.name = name
        self.language = language
    }
}

/// A feature that answers disco#info/#items for its own nodes (e.g. the XEP-0050 commands node).
///
/// The disco handler asks every provider in turn for a node it does not own itself; the first
/// non-nil answer wins, and a node no provider claims is answered with `item-not-found`. The
/// router has already checked that `role` may read (viewer or better) before a provider is asked,
/// so a provider only filters what this role may see (e.g. operator-only commands).
package protocol DiscoNodeProvider: Sendable {
    /// The identities and features of `node`, or nil when `node` is not this provider's.
    func discoInfo(node: String, for requester: JID, role: Role) async -> (identities: [DiscoIdentity], features: [String])?
    /// The items under `node`, or nil when `node` is not this provider's.
    func discoItems(node: String, for requester: JID, role: Role) async -> [DiscoItem]?
}
