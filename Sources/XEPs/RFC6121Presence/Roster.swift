import Support
package import Session
package import XMLStream
package import XMPPCore

/// The device's roster as the server last told it (RFC 6121 §2): fetched at login, kept up to
/// date by roster pushes. The subscription logic asks it whether we already receive a
/// contact's presence or asked to, so that we never send `subscribe` twice in a row.
package actor Roster {
    /// RFC 6121 §2.1.2.5 subscription states.
    package enum Subscription: String, Sendable, Hashable {
        case none, to, from, both, remove

        /// The contact receives our presence.
        package var theyReceiveOurs: Bool { self == .from || self == .both }
        /// We receive the contact's presence.
        package var weReceiveTheirs: Bool { self == .to || self == .both }
    }

    package struct Item: Sendable, Hashable {
        /// A bare JID.
        package var jid: JID
        package var subscription: Subscription
        /// `ask='subscribe'`: our request is waiting for their answer.
        package var pendingOut: Bool

        package init(jid: JID, subscription: Subscription, pendingOut: Bool = false) {
            self.jid = jid.bare
            self.subscription = subscription
            self.pendingOut = pendingOut
        }

        /// Reads `<item jid subscription [ask]/>`; nil without a valid JID.
        package init?(_ element: XMLElement) {
            guard let text = element.attribute("jid"), let jid = try? JID(text) else { return nil }
            self.init(
                jid: jid, subscription: element.attribute("subscription").flatMap(Subscription.init(rawValue:)) ?? .none,
                pendingOut: element.attribute("ask") == "subscribe")
        }
    }

    private var items: [JID: Item] = [:]
    private let log = Logger("roster")

    package init() {}

    /// Every item, in no particular order.
    package var all: [Item] { Array(items.values) }

    package func item(_ jid: JID) -> Item? { items[jid.bare] }

    /// A roster push: `remove` deletes the item, anything else replaces it.
    package func apply(_ item: Item) {
        if item.subscription == .remove {
            items[item.jid] = nil
        } else {
            items[item.jid] = item
        }
    }

    /// We sent `subscribe`: remember it before the server's push says so.
    package func notePendingOut(_ jid: JID) {
        var item = items[jid.bare] ?? Item(jid: jid, subscription: .none)
        item.pendingOut = true
        items[jid.bare] = item
    }

    /// Fetches the whole roster (RFC 6121 §2.2); false when the server did not answer.
    package func load(from session: XMPPSession) async -> Bool {
        let request = XMLElement("iq", namespace: Namespace.client, attributes: ["type": "get"]) {
            XMLElement("query", namespace: Namespace.roster)
        }
        switch await session.request(request) {
        case .success(let reply):
            let list = reply.child("query", namespace: Namespace.roster)?.children("item", namespace: Namespace.roster) ?? []
            items = [:]
            for item in list.compactMap(Item.init) { items[item.jid] = item }
            log.debug("\(items.count) roster items")
            return true
        case .failure(let error):
            log.warning("cannot fetch the roster: \(error)")
            return false
        }
    }
}
