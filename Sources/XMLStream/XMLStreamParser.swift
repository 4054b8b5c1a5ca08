/// Caps that bound what a peer can make the parser hold.
package struct XMLStreamLimits: Sendable, Hashable {
    /// The most bytes one child of the stream root (a stanza) may span, counted as bytes are fed,
    /// so a stanza that never ends is stopped at the cap rather than buffered.
    package var maxStanzaBytes: Int
    /// The deepest element nesting allowed, counting `<stream:stream>` as depth 1.
    package var maxDepth: Int

    package init(maxStanzaBytes: Int = 256 * 1024, maxDepth: Int = 64) {
        self.maxStanzaBytes = maxStanzaBytes
        self.maxDepth = maxDepth
    }
}

/// An incremental parser for one direction of an XMPP stream: feed it bytes as they arrive,
/// get back the events they completed.
///
/// After a thrown error the stream is dead: every later `feed` throws the same error until
/// `reset()`. Not thread-safe: one thread (the connection's I/O thread) owns a parser.
package protocol XMLStreamParser: AnyObject {
    /// Parses `bytes`, which may split anything anywhere (tags, UTF-8 sequences, references),
    /// and returns the events completed by them. Events completed earlier in the same call are
    /// discarded when it throws: the stream is over.
    func feed(_ bytes: UnsafeRawBufferPointer) throws(XMLStreamError) -> [StreamEvent]

    /// Forgets everything and expects a new stream header: the restart after STARTTLS and
    /// after SASL success (RFC 6120 §5.4.3.3, §6.4.6), or a new connection.
    func reset()
}

extension XMLStreamParser {
    /// Parses bytes held in an array; see `feed(_:)`.
    package func feed(_ bytes: [UInt8]) throws(XMLStreamError) -> [StreamEvent] {
        // Array.withUnsafeBytes rethrows untyped errors, so the typed result is carried out.
        var result = Result<[StreamEvent], XMLStreamError>.success([])
        bytes.withUnsafeBytes { buffer in
            result = Result { () throws(XMLStreamError) in try feed(buffer) }
        }
        return try result.get()
    }
}
