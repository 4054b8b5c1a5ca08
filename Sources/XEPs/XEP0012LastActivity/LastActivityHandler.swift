package import XMLStream
package import XMPPCore

/// XEP-0012 for the device's full JID: `<query seconds='N'/>`, N being the idle time (see
/// `ActivityClock` for what counts as activity). The server answers for the bare JID.
package struct LastActivityHandler: IQHandler {
    package static let namespace = "jabber:iq:last"

    private let activity: ActivityClock

    package init(activity: ActivityClock) {
        self.activity = activity
    }

    package var payloadNamespaces: Set<String> { [Self.namespace] }

    package func requiredRole(for iq: XMLElement) -> Role { .viewer }

    package func handle(_ iq: XMLElement, from: JID, role: Role) async -> XMLElement {
        guard iq.stanzaType == "get" else { return iq.errorReply(StanzaError(.badRequest)) }
        let seconds = max(0, activity.idle.components.seconds)
        return iq.iqResult(XMLElement("query", namespace: Self.namespace, attributes: ["seconds": String(seconds)]))
    }
}
