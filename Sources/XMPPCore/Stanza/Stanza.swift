package import XMLStream

/// Helpers for the three stanza kinds (RFC 6120 §8), on plain `XMLElement`s.
extension XMLElement {
    /// True for `<message/>`, `<presence/>` and `<iq/>` in the client namespace: what XEP-0198
    /// counts.
    package var isStanza: Bool {
        namespace == Namespace.client && (name == "message" || name == "presence" || name == "iq")
    }

    package var stanzaType: String? { attribute("type") }
    package var id: String? { attribute("id") }

    /// The `from` address parsed, if present and valid.
    package var from: JID? { attribute("from").flatMap { try? JID($0) } }
    package var to: JID? { attribute("to").flatMap { try? JID($0) } }

    /// The one payload child of an IQ get/set.
    package var payload: XMLElement? { elements.first }

    /// An `iq type='result'` answering this request, with an optional payload.
    package func iqResult(_ payload: XMLElement? = nil) -> XMLElement {
        var reply = XMLElement("iq", namespace: Namespace.client, attributes: ["type": "result"])
        reply.address(replyingTo: self)
        if let payload { reply.append(payload) }
        return reply
    }

    /// The error reply to this stanza (RFC 6120 §8.3.1): same kind and id, addresses swapped.
    /// For IQs the request payload is left out (it may be large); for messages and presences the
    /// original content is not echoed either.
    package func errorReply(_ error: StanzaError) -> XMLElement {
        var reply = XMLElement(name, namespace: Namespace.client, attributes: ["type": "error"])
        reply.address(replyingTo: self)
        reply.append(error.element)
        return reply
    }

    private mutating func address(replyingTo request: XMLElement) {
        if let id = request.id { setAttribute("id", id) }
        if let from = request.attribute("from") { setAttribute("to", from) }
    }
}
