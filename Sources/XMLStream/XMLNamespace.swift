/// The namespaces the stream layer itself must know. Protocol namespaces live with their XEPs.
package enum XMLNamespace {
    /// The stream namespace of `<stream:stream>`, `<stream:features>` and `<stream:error>` (RFC 6120 §4.8.1).
    package static let streams = "http://etherx.jabber.org/streams"
    /// The content namespace of a client-to-server stream.
    package static let jabberClient = "jabber:client"
}

/// The text that opens and closes an XMPP stream. The opening tag is never self-closed: the
/// stream stays open until `closing` is sent.
package enum StreamTags {
    /// `<?xml version='1.0'?><stream:stream xmlns=... xmlns:stream=... to=... version='1.0' xml:lang=...>`
    /// (RFC 6120 §4.7). A client omits `id`, and sends `from` only once TLS protects the stream.
    package static func opening(
        to: String, from: String? = nil, language: String = "en", contentNamespace: String = XMLNamespace.jabberClient
    ) -> String {
        var out = Array("<?xml version='1.0'?><stream:stream".utf8)
        var attributes = [
            XMLAttribute("xmlns", contentNamespace), XMLAttribute("xmlns:stream", XMLNamespace.streams),
            XMLAttribute("to", to),
        ]
        if let from { attributes.append(XMLAttribute("from", from)) }
        attributes += [XMLAttribute("version", "1.0"), XMLAttribute("xml:lang", language)]
        for attribute in attributes {
            XMLWriter.write(attribute, into: &out)
        }
        out.append(UInt8(ascii: ">"))
        return String(decoding: out, as: UTF8.self)
    }

    /// `</stream:stream>`
    package static let closing = "</stream:stream>"
}
