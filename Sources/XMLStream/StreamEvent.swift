/// What the stream parser reports, in document order.
package enum StreamEvent: Sendable, Hashable {
    /// The `<stream:stream>` header arrived.
    case opened(StreamHeader)
    /// A complete child of the stream root: a stanza, `<stream:features>`, `<stream:error>`,
    /// or a TLS, SASL or stream-management nonza.
    case element(XMLElement)
    /// `</stream:stream>` arrived.
    case closed
}

/// The attributes of a received `<stream:stream>` header (`id`, `from`, `version`, `xml:lang`).
package struct StreamHeader: Sendable, Hashable {
    /// In document order, qualified names as written; namespace declarations are not included.
    package var attributes: [XMLAttribute]
    /// The default namespace the header declared (`jabber:client`), or nil when it declared none.
    package var contentNamespace: String?

    package init(attributes: [XMLAttribute], contentNamespace: String?) {
        self.attributes = attributes
        self.contentNamespace = contentNamespace
    }

    /// The value of the attribute with this qualified name.
    package func attribute(_ name: String) -> String? {
        attributes.first { $0.name == name }?.value
    }
}
