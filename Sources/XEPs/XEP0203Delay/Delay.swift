package import Support
package import XMLStream
package import XMPPCore

/// XEP-0203 Delayed Delivery: `<delay xmlns='urn:xmpp:delay' stamp='…' from='…'/>`, saying that
/// what carries it was produced at `stamp` and delivered later. The stamp is always UTC
/// (XEP-0082, `2024-01-01T12:00:00.250Z`).
package struct Delay: Sendable, Hashable {
    /// When the content was originally produced.
    package var stamp: Timestamp
    /// Who delayed it (for Kinglet: the device's own account, which held the readings).
    package var from: JID?
    /// Free text saying why, if anything.
    package var reason: String?

    package init(stamp: Timestamp, from: JID? = nil, reason: String? = nil) {
        self.stamp = stamp
        self.from = from
        self.reason = reason
    }

    /// Reads a `<delay/>` element; nil when it is not one or its stamp does not parse.
    package init?(_ element: XMLElement) {
        guard element.name == "delay", element.namespace == Namespace.delay,
            let stamp = element.attribute("stamp").flatMap({ Timestamp(xsDateTime: $0) })
        else { return nil }
        self.stamp = stamp
        from = element.attribute("from").flatMap { try? JID($0) }
        let text = element.text
        reason = text.isEmpty ? nil : text
    }

    /// The `<delay/>` element.
    package var element: XMLElement {
        var delay = XMLElement("delay", namespace: Namespace.delay, attributes: ["stamp": stamp.xsDateTime])
        if let from { delay.setAttribute("from", from.description) }
        if let reason { delay.append(text: reason) }
        return delay
    }
}
