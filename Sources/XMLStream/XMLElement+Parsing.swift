extension XMLElement {
    /// Parses one element from XML text, as if it arrived as a stanza in a stream whose content
    /// namespace is `contentNamespace`, under the same restrictions and limits. For tests and
    /// fixtures of code that handles stanzas; live input goes through `LibXML2StreamParser`.
    package init(
        parsing xml: String, contentNamespace: String = XMLNamespace.jabberClient, limits: XMLStreamLimits = XMLStreamLimits()
    ) throws(XMLStreamError) {
        let parser = LibXML2StreamParser(limits: limits)
        let document = "<stream:stream xmlns='\(contentNamespace)' xmlns:stream='\(XMLNamespace.streams)'>" + xml + StreamTags.closing
        let elements = try parser.feed(Array(document.utf8)).compactMap { event in
            if case .element(let element) = event { element } else { nil }
        }
        guard elements.count == 1, let element = elements.first else {
            throw XMLStreamError(.notWellFormed, message: "expected exactly one element, found \(elements.count)")
        }
        self = element
    }
}
