import Testing
@testable import XMLStream

@Suite struct SerializerTests {
    @Test func stanzaInAClientStreamDeclaresOnlyForeignNamespaces() {
        let iq = XMLElement("iq", attributes: ["type": "result", "id": "v1", "to": "alice@example.org/phone"]) {
            XMLElement("query", namespace: "jabber:iq:version") {
                XMLElement("name", text: "kinglet")
                XMLElement("version", text: "0.1")
            }
        }
        #expect(
            iq.serialized(inheritedNamespace: "jabber:client")
                == "<iq type='result' id='v1' to='alice@example.org/phone'><query xmlns='jabber:iq:version'>"
                + "<name>kinglet</name><version>0.1</version></query></iq>")
        var parsed = iq
        parsed.namespace = "jabber:client"
        #expect(parsed.serialized(inheritedNamespace: "jabber:client") == iq.serialized(inheritedNamespace: "jabber:client"))
        #expect(parsed.serialized().hasPrefix("<iq xmlns='jabber:client' type='result'"), "standalone, the namespace is declared")
    }

    @Test func emptyElementsSelfClose() {
        #expect(XMLElement("r", namespace: "urn:xmpp:sm:3").serialized(inheritedNamespace: "jabber:client") == "<r xmlns='urn:xmpp:sm:3'/>")
        #expect(XMLElement("presence").serialized() == "<presence/>")
        #expect(XMLElement("body", text: "").serialized() == "<body/>", "empty text is no child")
    }

    @Test func noNamespaceUndeclaresTheDefault() {
        let element = XMLElement("a", namespace: "urn:a") { XMLElement("b", namespace: "") }
        #expect(element.serialized() == "<a xmlns='urn:a'><b xmlns=''/></a>")
        #expect(XMLElement("b", namespace: "").serialized() == "<b/>")
    }

    @Test func streamNamespaceUsesTheStreamPrefix() {
        let error = XMLElement("error", namespace: XMLNamespace.streams) {
            XMLElement("policy-violation", namespace: "urn:ietf:params:xml:ns:xmpp-streams")
        }
        #expect(
            error.serialized(inheritedNamespace: "jabber:client")
                == "<stream:error><policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>")
        #expect(
            error.serialized()
                == "<stream:error xmlns:stream='http://etherx.jabber.org/streams'>"
                + "<policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>")
    }

    @Test func textAndAttributeEscapes() {
        let element = XMLElement("m", attributes: ["a": "&<>'\"\t\r\n end"], text: "&<>'\"\t\r\n]]>")
        #expect(element.serialized() == "<m a='&amp;&lt;&gt;&apos;&quot;&#x9;&#xD;&#xA; end'>&amp;&lt;&gt;'\"\t&#xD;\n]]&gt;</m>")
    }

    @Test func charactersXMLCannotCarryBecomeReplacementCharacters() throws {
        let element = XMLElement("m", attributes: ["a": "x\u{0}y\u{1B}"], text: "a\u{7}b\u{FFFE}c\u{FFFF}d\u{FFFD}e\u{EFFFF}")
        let text = element.serialized()
        #expect(text == "<m a='x\u{FFFD}y\u{FFFD}'>a\u{FFFD}b\u{FFFD}c\u{FFFD}d\u{FFFD}e\u{EFFFF}</m>")
        #expect(try XMLElement(parsing: text).text == "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\u{FFFD}e\u{EFFFF}")
    }

    @Test func bytesVariantAppends() {
        var buffer = Array("prefix".utf8)
        XMLElement("a").serialize(into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "prefix<a/>")
    }

    @Test func streamTags() {
        #expect(
            StreamTags.opening(to: "example.org")
                == "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
                + "to='example.org' version='1.0' xml:lang='en'>")
        #expect(
            StreamTags.opening(to: "ex'.org", from: "dev@ex.org", language: "de")
                == "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
                + "to='ex&apos;.org' from='dev@ex.org' version='1.0' xml:lang='de'>")
        #expect(StreamTags.closing == "</stream:stream>")
    }

    @Test func openingTagParsesAsAStreamHeader() throws {
        let events = try LibXML2StreamParser().feed(Array(StreamTags.opening(to: "example.org", from: "dev@example.org").utf8))
        #expect(events == [.opened(StreamHeader(
            attributes: [
                XMLAttribute("to", "example.org"), XMLAttribute("from", "dev@example.org"), XMLAttribute("version", "1.0"),
                XMLAttribute("xml:lang", "en"),
            ],
            contentNamespace: "jabber:client"))])
    }

    static let awkward = [
        "plain", "'single' \"double\"", "<tag attr='x'>", "a & b &amp; c &#38;", "grüß dich – 中文 🌡👍🏽", "]]>", "]]]]>>",
        "\ttab\nnewline\r\ncrlf\rcr ", "  leading and trailing  ", "&lt;already escaped&gt;", "\u{FFFD}\u{10FFFF}",
    ]

    @Test(arguments: awkward)
    func roundTrip(value: String) throws {
        let original = XMLElement("message", namespace: "jabber:client", attributes: ["type": "chat", "note": value, "xml:lang": "en"]) {
            XMLElement("body", text: value)
            XMLElement("x", namespace: "urn:example:a", attributes: ["v": value]) {
                value
                XMLElement("y", text: value)
                XMLElement("z", namespace: "")
            }
            XMLElement("error", namespace: XMLNamespace.streams, text: value)
        }
        let text = original.serialized(inheritedNamespace: "jabber:client")
        #expect(try XMLElement(parsing: text) == original)
        #expect(try XMLElement(parsing: original.serialized()) == original)
    }

    @Test func roundTripOfTheRealisticStream() throws {
        for element in Fixtures.elements(try Fixtures.parseWhole()) {
            #expect(try XMLElement(parsing: element.serialized(inheritedNamespace: "jabber:client")) == element)
        }
    }
}
