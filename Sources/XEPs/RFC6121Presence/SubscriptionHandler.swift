import Support
package import Session
package import XMLStream
package import XMPPCore

/// RFC 6121 §3: subscription requests from operators and viewers are approved and
/// reciprocated (so the device sees them too); everyone else is refused.
package struct SubscriptionHandler: PresenceHandler {
    private let session: XMPPSession
    private let log = Logger("presence")

    package init(session: XMPPSession) {
        self.session = session
    }

    package func handle(_ presence: XMLElement, from: JID, role: Role) async {
        switch presence.stanzaType {
        case "subscribe":
            if role >= .viewer {
                log.info("approving the subscription of \(from.bare) (\(role))")
                await reply("subscribed", to: from.bare)
                await reply("subscribe", to: from.bare)
            } else {
                log.info("refusing the subscription of \(from.bare): not an operator or viewer")
                await reply("unsubscribed", to: from.bare)
            }
        case "unsubscribe":
            // They no longer want our presence; stop receiving theirs too (RFC 6121 §3.3).
            await reply("unsubscribed", to: from.bare)
        default:
            break
        }
    }

    private func reply(_ type: String, to jid: JID) async {
        await session.send(XMLElement("presence", namespace: Namespace.client, attributes: ["to": jid.description, "type": type]))
    }
}
