import CLibXML2

/// The stream parser on libxml2's SAX2 push parser (`xmlCreatePushParserCtxt`).
///
/// Options: `XML_PARSE_NONET` (never fetch anything), `XML_PARSE_IGNORE_ENC` and a fixed UTF-8
/// encoding (the stream is UTF-8 whatever a declaration or a byte order mark claims), and deliberately not `XML_PARSE_NOENT`: entities are
/// never substituted, and the one artefact that leaves in attribute values is undone in
/// `SAXReceiver.attributeValue`.
package final class LibXML2StreamParser: XMLStreamParser {
    package let limits: XMLStreamLimits
    private let receiver: SAXReceiver
    private var context: xmlParserCtxtPtr?
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
        receiver = SAXReceiver(limits: limits)
        context = Self.makeContext(receiver)
        receiver.restart(context: context)
    }

    deinit {
        if let context { xmlFreeParserCtxt(context) }
    }

    package func reset() {
        // A fresh context rather than xmlCtxtResetPush: nothing of the old stream (namespace
        // table, error state, a half-read DTD) can survive, whatever state the error left.
        if let context { xmlFreeParserCtxt(context) }
        context = Self.makeContext(receiver)
        fed = 0
        receiver.restart(context: context)
    }

    package func feed(_ bytes: UnsafeRawBufferPointer) throws(XMLStreamError) -> [StreamEvent] {
        if let failure = receiver.failure { throw failure }
        guard let context, let base = bytes.baseAddress else { return [] }
        var offset = 0
        while offset < bytes.count {
            let count = min(Self.sliceBytes, bytes.count - offset)
            let status = xmlParseChunk(context, (base + offset).assumingMemoryBound(to: CChar.self), Int32(count), 0)
            offset += count
            fed += count
            try check(status: status, context: context)
        }
        let events = receiver.events
        receiver.events = []
        return events
    }

    /// Turns whatever went wrong in the last slice into the stream's failure, and throws it.
    private func check(status: Int32, context: xmlParserCtxtPtr) throws(XMLStreamError) {
        if receiver.failure == nil, status != 0 {
            // An error serror did not see; take libxml2's own record of it.
            let last = xmlCtxtGetLastError(context)
            receiver.libxml2Error(code: last?.pointee.code ?? status, isError: true, message: last.flatMap { UnsafePointer($0.pointee.message) })
        }
        if receiver.failure == nil, !receiver.isClosed, fed - receiver.anchor > limits.maxStanzaBytes {
            receiver.fail(.policyViolation, "more than \(limits.maxStanzaBytes) bytes without the end of a stanza")
        }
        if let failure = receiver.failure { throw failure }
    }

    private static func makeContext(_ receiver: SAXReceiver) -> xmlParserCtxtPtr? {
        _ = libxml2Initialized
        var handler = SAXHandlerTable.make()
        // libxml2 copies the handler table into the context, so a local is enough.
        guard let context = xmlCreatePushParserCtxt(&handler, Unmanaged.passUnretained(receiver).toOpaque(), nil, 0, nil) else {
            return nil
        }
        xmlCtxtUseOptions(context, Int32(XML_PARSE_NONET.rawValue | XML_PARSE_IGNORE_ENC.rawValue))
        // Without this libxml2 would guess the encoding from the first bytes and happily read
        // UTF-16; XMPP is UTF-8 only (RFC 6120 §11.6), so anything else is not well-formed.
        xmlSwitchEncoding(context, XML_CHAR_ENCODING_UTF8)
        return context
    }
}
