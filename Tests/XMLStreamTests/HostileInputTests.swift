import Testing
@testable import XMLStream

/// The hostile-XML corpus: each input must fail with the right RFC 6120 condition, and the
/// parser must stay usable after `reset()`.
@Suite struct HostileInputTests {
    static let billionLaughs = """
        <?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\
        <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\
        <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">\
        <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">]>\
        <stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'><message><body>&lol9;</body></message>
        """

    static let restrictedInputs: [(String, String)] = {
        let prolog = String(Fixtures.header.dropFirst("<?xml version='1.0'?>".count))
        return [
        ("billion laughs", billionLaughs),
        ("external entity", "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
            + "<stream:stream xmlns:stream='http://etherx.jabber.org/streams'><m>&x;</m>"),
        ("external DTD", "<!DOCTYPE stream SYSTEM \"http://example.org/evil.dtd\">"
            + "<stream:stream xmlns:stream='http://etherx.jabber.org/streams'>"),
        ("undeclared entity in text", Fixtures.header + "<message><body>&nbsp;</body></message>"),
        ("undeclared entity in attribute", Fixtures.header + "<message id='&foo;'/>"),
        ("processing instruction in a stanza", Fixtures.header + "<message><?php echo 1; ?></message>"),
        ("processing instruction between stanzas", Fixtures.header + "<?xml-stylesheet href='x'?><message/>"),
        ("processing instruction in the prolog", "<?xml version='1.0'?><?evil?>" + prolog),
        ("comment in a stanza", Fixtures.header + "<message><!-- hi --></message>"),
        ("comment between stanzas", Fixtures.header + "<!-- keepalive? --><message/>"),
        ("comment in the prolog", "<!-- x -->" + prolog),
    ]
    }()

    @Test(arguments: restrictedInputs)
    func restrictedXML(_ label: String, input: String) {
        #expect(Fixtures.failure(Array(input.utf8)) == .restrictedXML, "\(label)")
    }

    @Test(arguments: [
        ("mismatched tags", Fixtures.header + "<message><body></message></body>"),
        ("unclosed attribute quote", Fixtures.header + "<message id='x></message>"),
        ("bare ampersand", Fixtures.header + "<message><body>a & b</body></message>"),
        ("bare less-than in attribute", Fixtures.header + "<message id='<'/>"),
        ("unbound prefix", Fixtures.header + "<foo:message/>"),
        ("unbound attribute prefix", Fixtures.header + "<message foo:id='1'/>"),
        ("duplicate attribute", Fixtures.header + "<message id='1' id='2'/>"),
        ("character reference to NUL", Fixtures.header + "<message><body>&#0;</body></message>"),
        ("character reference to a surrogate", Fixtures.header + "<message><body>&#xD800;</body></message>"),
        ("control character", Fixtures.header + "<message><body>\u{1}</body></message>"),
        ("second root", "<stream:stream xmlns:stream='http://etherx.jabber.org/streams'></stream:stream><stream:stream>"),
        ("XML declaration mid-stream", Fixtures.header + "<?xml version='1.0'?>"),
        ("DOCTYPE mid-stream", Fixtures.header + "<!DOCTYPE x><message/>"),
        ("junk instead of a stream", "HTTP/1.1 400 Bad Request\r\n\r\n"),
    ])
    func notWellFormed(_ label: String, input: String) {
        // libxml2 may wait for a later `;` or `>` before it looks at a broken construct, so
        // the stream goes on with another stanza, as a real one would.
        #expect(Fixtures.failure(Array((input + "<message><body>;</body></message>").utf8)) == .notWellFormed, "\(label)")
    }

    @Test(arguments: [
        ("0xFF in text", [0xFF]), ("truncated sequence before a tag", [0xC3]), ("overlong slash", [0xC0, 0xAF]),
        ("encoded surrogate", [0xED, 0xA0, 0x80]), ("beyond U+10FFFF", [0xF4, 0x90, 0x80, 0x80]), ("NUL byte", [0x00]),
    ] as [(String, [UInt8])])
    func invalidBytesInText(_ label: String, bad: [UInt8]) {
        let bytes = Fixtures.streamBytes("<message><body>a") + bad + Array("b</body></message>".utf8)
        #expect(Fixtures.failure(bytes) == .notWellFormed, "\(label)")
        let inAttribute = Fixtures.streamBytes("<message id='a") + bad + Array("b'/>".utf8)
        #expect(Fixtures.failure(inAttribute) == .notWellFormed, "\(label) in an attribute")
    }

    @Test func utf16StreamIsRejected() {
        var bytes: [UInt8] = [0xFF, 0xFE]
        for unit in Fixtures.header.utf16 {
            bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)]
        }
        #expect(Fixtures.failure(bytes) == .notWellFormed)
    }

    @Test(arguments: [
        "<stream:stream xmlns:stream='http://etherx.jabber.org/streams/'>",
        "<stream:stream xmlns:stream='http://etherx.jabber.org/STREAMS'>",
        "<stream:stream xmlns:stream='jabber:client'>",
        "<stream:features xmlns:stream='http://etherx.jabber.org/streams'>",
        "<html><body>",
    ])
    func wrongRoot(input: String) {
        #expect(Fixtures.failure(Array(input.utf8)) == .invalidNamespace)
    }

    @Test func unprefixedRootInTheStreamsNamespaceIsFine() throws {
        #expect(try Fixtures.parseWhole(Array("<stream xmlns='http://etherx.jabber.org/streams'>".utf8)).count == 1)
    }

    @Test func everyFailureLeavesTheParserReusable() throws {
        let parser = LibXML2StreamParser()
        let valid = try Fixtures.parseWhole()
        for input in [Self.billionLaughs, Fixtures.header + "<a></b>", "<html>", Fixtures.header + "<!-- c -->"] {
            #expect(throws: XMLStreamError.self) { try parser.feed(Array(input.utf8)) }
            parser.reset()
            #expect(try parser.feed(Fixtures.stream) == valid)
            parser.reset()
        }
    }

    @Test func errorsNameTheirConditionButNoContent() {
        let secret = "hunter2-secret"
        let bytes = Fixtures.streamBytes("<message><body>\(secret) &bogus; \(secret)</body></message>")
        let error = #expect(throws: XMLStreamError.self) { try LibXML2StreamParser().feed(bytes) }
        #expect(error?.condition == .restrictedXML)
        #expect(error?.description.contains("restricted-xml") == true)
        #expect(error?.description.contains(secret) == false)
    }
}
