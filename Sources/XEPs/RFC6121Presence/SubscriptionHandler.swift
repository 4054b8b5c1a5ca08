import Support
package import XMLStream
package import XMPPCore

/// RFC 6121 §3 subscriptions. Requests from operators and viewers are approved and
/// reciprocated (once: not when we already receive their presence or asked), everyone else's
/// are refused. Answers from contacts are noted and never answered back, so two agents can
/// never subscribe to each other in a loop.
package struct SubscriptionHandler: PresenceHandler {
    private let presence: PresenceService
    private let roster: Roster
    private let account: JID
    private let log = Logger("presence")

    /// `account`: the device's own JID (its own subscription requests are ignored).
    package init(presence: PresenceService, roster: Roster, account: JID) {
        self.presence = presence
        self.roster = roster
        self.account = account.bare
    }

    package func handle(_ stanza: XMLElement, from: JID, role: Role) async {
        let contact = from.bare
        guard contact != account, contact.local != nil else { return }
        switch stanza.stanzaType {
        case "subscribe":
            await subscribe(from: contact, role: role)
        case "subscribed":
            log.info("\(contact) approved our presence subscription")
        case "unsubscribed":
            // Refused or cancelled: not asked again, or two agents could loop.
            log.info("\(contact) refused or cancelled our presence subscription")
            await presence.noteRefused(contact)
        case "unsubscribe":
            log.info("\(contact) no longer receives our presence")
            if let item = await roster.item(contact), item.subscription.weReceiveTheirs || item.pendingOut {
                await reply("unsubscribe", to: contact)
            }
        default:
            break
        }
    }

    private func subscribe(from contact: JID, role: Role) async {
        guard role >= .viewer else {
            AccessLog.refused("presence subscription", from: contact, role: role, needed: .viewer)
            await reply("unsubscribed", to: contact)
            return
        }
        log.info("approved the presence subscription of \(contact) (\(role))")
        await reply("subscribed", to: contact)
        await presence.reciprocate(contact)
    }

    private func reply(_ type: String, to jid: JID) async {
        await presence.send(XMLElement("presence", namespace: Namespace.client, attributes: ["to": jid.description, "type": type]))
    }
}
