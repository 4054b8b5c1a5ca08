import CLibXML2

/// The stream parser on libxml2's SAX2 push parser (`xmlCreatePushParserCtxt`).
///
/// Options: `XML_PARSE_NONET` (never fetch anything), `XML_PARSE_IGNORE_ENC` and a fixed UTF-8
/// encoding (the stream is UTF-8 whatever a declaration or a byte order mark claims), and
/// deliberately not `XML_PARSE_NOENT`: entities are never substituted, and the one artefact
/// that leaves in attribute values is undone in `LibXML2Strings.attributeValue`.
package final class LibXML2StreamParser: XMLStreamParser {
    package let limits: XMLStreamLimits
    /// The current stream's libxml2 context; its SAX callbacks reach `builder` through the
    /// context's user data, which is this object.
    private var context: xmlParserCtxtPtr?
    /// Everything parsed from the current stream; the SAX callbacks mutate it during `feed`.
    var builder: StreamTreeBuilder
    /// Bytes given to the current context.
    private var fed = 0

    /// libxml2 must be initialised once per process before threads use it; a static `let`
    /// runs its initialiser exactly once, thread-safely.
    private static let libxml2Initialized: Void = xmlInitParser()

    /// Input is handed to libxml2 in slices of at most this size, and the stanza cap is checked
    /// after each, so libxml2 never buffers more than the cap plus one slice.
    private static let sliceBytes = 16 * 1024

    package init(limits: XMLStreamLimits = XMLStreamLimits()) {
        self.limits = limits
        builder = StreamTreeBuilder(limits: limits, context: nil)
        startStream()
    }

    deinit {
        if let context { xmlFreeParserCtxt(context) }
    }

    package func reset() {
        // A fresh context rather than xmlCtxtResetPush: nothing of the old stream (namespace
        // table, error state, a half-read DTD) can survive, whatever state the error left.
        if let context { xmlFreeParserCtxt(context) }
        startStream()
    }

    package func feed(_ bytes: UnsafeRawBufferPointer) throws(XMLStreamError) -> [StreamEvent] {
        if let failure = builder.failure { throw failure }
        guard let context, let base = bytes.baseAddress else { return [] }
        var offset = 0
        while offset < bytes.count {
            let count = min(Self.sliceBytes, bytes.count - offset)
            let status = xmlParseChunk(context, (base + offset).assumingMemoryBound(to: CChar.self), Int32(count), 0)
            offset += count
            fed += count
            try check(status: status, context: context)
        }
        let events = builder.events
        builder.events = []
        return events
    }

    /// Turns whatever went wrong in the last slice into the stream's failure, and throws it.
    private func check(status: Int32, context: xmlParserCtxtPtr) throws(XMLStreamError) {
        if builder.failure == nil, status != 0 {
            // An error the structured error callback did not see; take libxml2's own record.
            let last = xmlCtxtGetLastError(context)
            let message = last.flatMap { UnsafePointer($0.pointee.message) }
            builder.libxml2Error(code: last?.pointee.code ?? status, isError: true, message: message)
        }
        if builder.failure == nil, !builder.isClosed, fed - builder.anchor > limits.maxStanzaBytes {
            builder.fail(.policyViolation, "more than \(limits.maxStanzaBytes) bytes without the end of a stanza")
        }
        if let failure = builder.failure { throw failure }
    }

    /// Creates the context for a new stream, with a builder to match.
    private func startStream() {
        _ = Self.libxml2Initialized
        var handler = SAXHandlerTable.make()
        // libxml2 copies the handler table into the context, so a local is enough.
        context = xmlCreatePushParserCtxt(&handler, Unmanaged.passUnretained(self).toOpaque(), nil, 0, nil)
        if let context {
            xmlCtxtUseOptions(context, Int32(XML_PARSE_NONET.rawValue | XML_PARSE_IGNORE_ENC.rawValue))
            // Without this libxml2 would guess the encoding from the first bytes and happily
            // read UTF-16; XMPP is UTF-8 only (RFC 6120 §11), so anything else is malformed.
            xmlSwitchEncoding(context, XML_CHAR_ENCODING_UTF8)
        }
        builder = StreamTreeBuilder(limits: limits, context: context)
        fed = 0
    }
}
