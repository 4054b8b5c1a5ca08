import Support
package import XMLStream
package import XMPPCore

/// RFC 6121 §2.1.6 roster pushes: an `iq set` with one `<item/>`, from our server (no `from`)
/// or our own bare JID. Anything else claiming to be a push is a spoof: it changes nothing
/// and is answered `service-unavailable`.
package struct RosterPushHandler: IQHandler {
    private let roster: Roster
    private let account: JID
    private let log = Logger("roster")

    /// `account`: the device's bare JID.
    package init(roster: Roster, account: JID) {
        self.roster = roster
        self.account = account.bare
    }

    package var payloadNamespaces: Set<String> { [Namespace.roster] }

    /// Pushes come from our server, which the router counts as operator.
    package func requiredRole(for iq: XMLElement) -> Role { .operator }

    /// The roster is the server's business, not a feature to advertise.
    package var discoFeatures: [String] { [] }

    package func handle(_ iq: XMLElement, from: JID, role: Role) async -> XMLElement {
        guard isFromOurServer(iq) else {
            log.info("ignored a roster push from \(from): only our server may push")
            return iq.errorReply(StanzaError(.serviceUnavailable))
        }
        guard iq.stanzaType == "set" else { return iq.errorReply(StanzaError(.badRequest)) }
        let elements = iq.payload?.children("item", namespace: Namespace.roster) ?? []
        guard elements.count == 1, let item = Roster.Item(elements[0]) else {
            return iq.errorReply(StanzaError(.badRequest, text: "a roster push carries exactly one item"))
        }
        await roster.apply(item)
        log.debug("push: \(item.jid) \(item.subscription.rawValue)\(item.pendingOut ? " (asked)" : "")")
        return iq.iqResult()
    }

    private func isFromOurServer(_ iq: XMLElement) -> Bool {
        guard let text = iq.attribute("from") else { return true }
        guard let from = try? JID(text) else { return false }
        return from == account
    }
}
