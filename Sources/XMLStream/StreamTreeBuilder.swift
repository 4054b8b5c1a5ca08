import CLibXML2

/// The Swift side of libxml2's SAX2 callbacks for one stream: builds stanza trees, enforces the
/// RFC 6120 §11.1 restrictions and the limits, and collects `StreamEvent`s for the parser.
///
/// A struct held by `LibXML2StreamParser`, so each callback costs one exclusivity check on the
/// parser's property rather than one per field touched. Every callback first checks `failure`:
/// once the stream is condemned nothing more is built, and the parse is stopped with
/// `xmlStopParser`, which libxml2 documents for use from callbacks.
struct StreamTreeBuilder {
    let limits: XMLStreamLimits
    /// The context whose callbacks arrive here; owned and freed by `LibXML2StreamParser`.
    let context: xmlParserCtxtPtr?
    /// Events completed since the parser last took them.
    var events: [StreamEvent] = []
    private(set) var failure: XMLStreamError?
    /// Where the bytes of the current top-level element start counting: the position after the
    /// stream header, after the last stanza, or after whitespace between stanzas. Bytes fed past
    /// it are either part of a stanza or not parsed yet; both count against `maxStanzaBytes`.
    private(set) var anchor = 0
    private(set) var isClosed = false
    private var depth = 0
    /// The open elements below the stream root, innermost last.
    private var stack: [PendingElement] = []
    /// Character data of the innermost open element since its last child: only that element
    /// can be receiving text, so one buffer (kept across elements) serves all. Kept as bytes so
    /// text split across callbacks or CDATA boundaries becomes one text node.
    private var text: [UInt8] = []
    private var names = NameCache()

    init(limits: XMLStreamLimits, context: xmlParserCtxtPtr?) {
        self.limits = limits
        self.context = context
        if context == nil {
            failure = XMLStreamError(.notWellFormed, operation: "create parser", message: "libxml2 could not create a parser context")
        }
    }

    /// Condemns the stream (the first reason wins) and stops libxml2.
    mutating func fail(_ condition: XMLStreamError.Condition, _ message: String, code: Int32 = 0) {
        if failure == nil {
            failure = XMLStreamError(condition, code: code, message: message)
        }
        events = []
        xmlStopParser(context)
    }

    /// Bytes consumed by libxml2 so far in this stream.
    private var position: Int {
        Int(xmlByteConsumed(context))
    }

    // MARK: - Elements

    mutating func startElement(
        localname: UnsafePointer<UInt8>, uri: UnsafePointer<UInt8>?,
        namespaces: UnsafeBufferPointer<UnsafePointer<UInt8>?>, attributes: UnsafeBufferPointer<UnsafePointer<UInt8>?>
    ) {
        guard failure == nil else { return xmlStopParser(context) }
        depth += 1
        if depth == 1 {
            return openStream(localname: localname, uri: uri, namespaces: namespaces, attributes: attributes)
        }
        if depth > limits.maxDepth {
            return fail(.policyViolation, "elements nested deeper than \(limits.maxDepth)")
        }
        if depth > 2, let pending = takeText() {
            stack[stack.count - 1].children.append(.text(pending))
        }
        var list = [XMLAttribute]()
        list.reserveCapacity(namespaces.count / 2 + attributes.count / 5)
        // Prefix declarations stay as attributes so that prefixed attribute names stay bound
        // when the element is written out again; the default namespace is `namespace`, and
        // the serializer binds the `stream:` prefix itself.
        for i in stride(from: 0, to: namespaces.count, by: 2) {
            guard let prefix = namespaces[i] else { continue }
            let uri = namespaces[i + 1].map { names.string($0) } ?? ""
            if uri != XMLNamespace.streams {
                list.append(XMLAttribute("xmlns:" + names.string(prefix), uri))
            }
        }
        appendAttributes(attributes, to: &list)
        stack.append(PendingElement(name: names.string(localname), namespace: uri.map { names.string($0) } ?? "", attributes: list))
    }

    mutating func endElement() {
        guard failure == nil else { return xmlStopParser(context) }
        depth -= 1
        if depth == 0 {
            isClosed = true
            anchor = position
            events.append(.closed)
            return
        }
        var done = stack.removeLast()
        if let pending = takeText() {
            done.children.append(.text(pending))
        }
        let element = XMLElement(parsedName: done.name, namespace: done.namespace, attributes: done.attributes, children: done.children)
        if depth > 1 {
            stack[stack.count - 1].children.append(.element(element))
            return
        }
        let end = position
        if end - anchor > limits.maxStanzaBytes {
            return fail(.policyViolation, "a stanza of \(end - anchor) bytes is over the limit of \(limits.maxStanzaBytes)")
        }
        anchor = end
        events.append(.element(element))
    }

    /// Character data and CDATA sections, possibly in several calls for one run of text.
    mutating func characters(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard failure == nil else { return xmlStopParser(context) }
        if depth >= 2 {
            text.append(contentsOf: bytes)
        } else if depth == 1 {
            // Whitespace keepalives between stanzas (RFC 6120 §4.6) belong to no stanza.
            anchor = position
        }
    }

    /// The pending character data as a string, if there is any, leaving the buffer empty. The
    /// buffer keeps its storage unless one huge text made it big, which a long-lived stream
    /// should not hold on to.
    private mutating func takeText() -> String? {
        guard !text.isEmpty else { return nil }
        defer { text.removeAll(keepingCapacity: text.count <= 16 * 1024) }
        return String(decoding: text, as: UTF8.self)
    }

    private mutating func openStream(
        localname: UnsafePointer<UInt8>, uri: UnsafePointer<UInt8>?,
        namespaces: UnsafeBufferPointer<UnsafePointer<UInt8>?>, attributes: UnsafeBufferPointer<UnsafePointer<UInt8>?>
    ) {
        let name = names.string(localname)
        let namespace = uri.map { names.string($0) } ?? ""
        guard name == "stream", namespace == XMLNamespace.streams else {
            let shown = "{\(namespace.prefix(80))}\(name.prefix(40))"
            return fail(.invalidNamespace, "the root element is \(shown), not stream in \(XMLNamespace.streams)")
        }
        var contentNamespace: String?
        for i in stride(from: 0, to: namespaces.count, by: 2) where namespaces[i] == nil {
            contentNamespace = namespaces[i + 1].map { names.string($0) } ?? ""
        }
        var list = [XMLAttribute]()
        appendAttributes(attributes, to: &list)
        // libxml2 calls back before consuming the header's closing `>`.
        anchor = position + 1
        events.append(.opened(StreamHeader(attributes: list, contentNamespace: contentNamespace)))
    }

    /// Reads libxml2's attribute 5-tuples (localname, prefix, URI, value start, value end).
    private mutating func appendAttributes(_ attributes: UnsafeBufferPointer<UnsafePointer<UInt8>?>, to list: inout [XMLAttribute]) {
        for i in stride(from: 0, to: attributes.count, by: 5) {
            guard let localname = attributes[i], let start = attributes[i + 3], let end = attributes[i + 4] else { continue }
            var name = names.string(localname)
            if let prefix = attributes[i + 1] {
                name = names.string(prefix) + ":" + name
            }
            list.append(XMLAttribute(name, LibXML2Strings.attributeValue(UnsafeBufferPointer(start: start, count: end - start))))
        }
    }

    // MARK: - Restricted XML and errors

    /// A DTD, entity declaration or reference, comment or processing instruction.
    mutating func restricted(_ what: String) {
        fail(.restrictedXML, "\(what) is not allowed in an XMPP stream (RFC 6120 §11.1)")
    }

    /// An error libxml2 reported. Warnings are ignored; the first error condemns the stream.
    /// Namespace errors are reported at error level without stopping libxml2, so the next
    /// callback stops it.
    mutating func libxml2Error(code: Int32, isError: Bool, message: UnsafePointer<CChar>?) {
        guard isError, failure == nil else { return }
        let condition: XMLStreamError.Condition
        switch code {
        case Int32(XML_ERR_UNDECLARED_ENTITY.rawValue), Int32(XML_WAR_UNDECLARED_ENTITY.rawValue): condition = .restrictedXML
        case Int32(XML_ERR_NO_MEMORY.rawValue): condition = .policyViolation
        default: condition = .notWellFormed
        }
        failure = XMLStreamError(condition, code: code, message: LibXML2Strings.firstLine(message))
        events = []
    }
}

/// An element whose end tag has not arrived yet.
private struct PendingElement {
    let name: String
    let namespace: String
    let attributes: [XMLAttribute]
    var children: [XMLNode] = []
}
