import CLibXML2
import Glibc

/// The Swift side of libxml2's SAX2 callbacks: builds stanza trees, enforces the RFC 6120 §11.1
/// restrictions and the limits, and collects `StreamEvent`s for the parser to hand out.
///
/// Every callback first checks `failure`: once the stream is condemned nothing more is built,
/// and the parse is stopped with `xmlStopParser`, which libxml2 documents for use from callbacks.
final class SAXReceiver {
    let limits: XMLStreamLimits
    /// The context whose callbacks arrive here, owned by `LibXML2StreamParser`.
    private var context: xmlParserCtxtPtr?
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
    private var names = NameCache()

    init(limits: XMLStreamLimits) {
        self.limits = limits
    }

    /// Starts over for a new context (a new stream).
    func restart(context: xmlParserCtxtPtr?) {
        self.context = context
        events = []
        failure = context == nil ? XMLStreamError(.notWellFormed, operation: "create parser", message: "libxml2 could not create a parser context") : nil
        anchor = 0
        isClosed = false
        depth = 0
        stack = []
        names = NameCache()
    }

    /// Condemns the stream (the first reason wins) and stops libxml2.
    func fail(_ condition: XMLStreamError.Condition, _ message: String, code: Int32 = 0) {
        if failure == nil {
            failure = XMLStreamError(condition, code: code, message: message)
        }
        events = []
        stop()
    }

    /// Ends the parse; libxml2 makes no more callbacks for this context.
    private func stop() {
        if let context { xmlStopParser(context) }
    }

    /// Bytes consumed by libxml2 so far in this stream.
    private var position: Int {
        Int(xmlByteConsumed(context))
    }

    // MARK: - Elements

    func startElement(
        localname: UnsafePointer<UInt8>, uri: UnsafePointer<UInt8>?,
        namespaces: UnsafeBufferPointer<UnsafePointer<UInt8>?>, attributes: UnsafeBufferPointer<UnsafePointer<UInt8>?>
    ) {
        guard failure == nil else { return stop() }
        depth += 1
        if depth == 1 {
            return openStream(localname: localname, uri: uri, namespaces: namespaces, attributes: attributes)
        }
        if depth > limits.maxDepth {
            return fail(.policyViolation, "elements nested deeper than \(limits.maxDepth)")
        }
        if depth > 2 {
            stack[stack.count - 1].flushText()
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

    func endElement() {
        guard failure == nil else { return stop() }
        depth -= 1
        if depth == 0 {
            isClosed = true
            anchor = position
            events.append(.closed)
            return
        }
        let element = stack.removeLast().finish()
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
    func characters(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard failure == nil else { return stop() }
        if depth >= 2 {
            stack[stack.count - 1].text.append(contentsOf: bytes)
        } else if depth == 1 {
            // Whitespace keepalives between stanzas (RFC 6120 §4.6.1) belong to no stanza.
            anchor = position
        }
    }

    private func openStream(
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
    private func appendAttributes(_ attributes: UnsafeBufferPointer<UnsafePointer<UInt8>?>, to list: inout [XMLAttribute]) {
        for i in stride(from: 0, to: attributes.count, by: 5) {
            guard let localname = attributes[i], let start = attributes[i + 3], let end = attributes[i + 4] else { continue }
            var name = names.string(localname)
            if let prefix = attributes[i + 1] {
                name = names.string(prefix) + ":" + name
            }
            list.append(XMLAttribute(name, Self.attributeValue(UnsafeBufferPointer(start: start, count: end - start))))
        }
    }

    /// Decodes an attribute value as libxml2 hands it over.
    ///
    /// With entity substitution off (as it must be: RFC 6120 §11.1 and XXE), libxml2's
    /// `xmlParseAttValueInternal` decodes every character reference and predefined entity
    /// itself, except one that yields `&` (from `&amp;`, `&#38;` or `&#x26;`): that it writes
    /// as the five bytes `&#38;`, for its tree builder to decode later (libxml2 parser.c, in
    /// 2.9 and in 2.14 alike; libstrophe issue #257 is this bug). A literal `&` cannot otherwise
    /// reach the value, since a bare `&` is not well-formed, so every `&` here starts `&#38;`
    /// and decoding exactly that sequence, left to right without rescanning, restores the
    /// value. The tests pin this with `&amp;amp;` → `&amp;` and `&#38;#38;` → `&#38;`.
    static func attributeValue(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard bytes.contains(UInt8(ascii: "&")) else {
            return String(decoding: bytes, as: UTF8.self)
        }
        let escaped = Array("&#38;".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            out.append(bytes[i])
            if bytes[i] == UInt8(ascii: "&"), i + escaped.count <= bytes.count,
                bytes[i..<i + escaped.count].elementsEqual(escaped)
            {
                i += escaped.count
            } else {
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: - Restricted XML and errors

    /// A DTD, entity declaration or reference, comment or processing instruction.
    func restricted(_ what: String) {
        fail(.restrictedXML, "\(what) is not allowed in an XMPP stream (RFC 6120 §11.1)")
    }

    /// An error libxml2 reported. Warnings are ignored; the first error condemns the stream.
    /// Namespace errors are reported at error level without stopping libxml2, so the next
    /// callback stops it.
    func libxml2Error(code: Int32, isError: Bool, message: UnsafePointer<CChar>?) {
        guard isError, failure == nil else { return }
        let text = message.map { String(cString: $0) } ?? "libxml2 reported an error"
        // Only the first line: later lines of some messages quote input bytes.
        let firstLine = text.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? text
        let condition: XMLStreamError.Condition
        switch code {
        case Int32(XML_ERR_UNDECLARED_ENTITY.rawValue), Int32(XML_WAR_UNDECLARED_ENTITY.rawValue): condition = .restrictedXML
        case Int32(XML_ERR_NO_MEMORY.rawValue): condition = .policyViolation
        default: condition = .notWellFormed
        }
        failure = XMLStreamError(condition, code: code, message: firstLine)
        events = []
    }
}

/// An element whose end tag has not arrived yet.
private struct PendingElement {
    let name: String
    let namespace: String
    let attributes: [XMLAttribute]
    var children: [XMLNode] = []
    /// Character data since the last child, kept as bytes so that text split across callbacks
    /// (or across a CDATA boundary) becomes one text node.
    var text: [UInt8] = []

    mutating func flushText() {
        guard !text.isEmpty else { return }
        children.append(.text(String(decoding: text, as: UTF8.self)))
        text.removeAll(keepingCapacity: true)
    }

    consuming func finish() -> XMLElement {
        flushText()
        return XMLElement(parsedName: name, namespace: namespace, attributes: attributes, children: children)
    }
}

/// Swift strings for libxml2's interned names (element and attribute names, prefixes,
/// namespace URIs), keyed by their address in the context's dictionary so each is decoded once
/// per stream. Entries are checked against the bytes before use, so a recycled address can only
/// cost a miss, never a wrong name.
private struct NameCache {
    private var strings: [UnsafeRawPointer: String] = [:]

    mutating func string(_ pointer: UnsafePointer<UInt8>) -> String {
        let length = strlen(UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
        if var cached = strings[UnsafeRawPointer(pointer)] {
            let same = cached.withUTF8 { $0.count == length && (length == 0 || memcmp($0.baseAddress!, pointer, length) == 0) }
            if same { return cached }
        }
        let string = String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
        strings[UnsafeRawPointer(pointer)] = string
        return string
    }
}
