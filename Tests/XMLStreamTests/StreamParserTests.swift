import Testing
@testable import XMLStream

@Suite struct StreamParserTests {
    @Test func realisticStreamFedWhole() throws {
        let events = try Fixtures.parseWhole()
        #expect(events.count == Fixtures.stanzas.count + 2)
        guard case .opened(let header) = events.first else {
            Issue.record("first event is not the header: \(String(describing: events.first))")
            return
        }
        #expect(header.contentNamespace == "jabber:client")
        #expect(header.attributes.map(\.name) == ["id", "from", "version", "xml:lang"])
        #expect(header.attribute("id") == "c2s-4f1a")
        #expect(header.attribute("xml:lang") == "en")
        #expect(events.last == .closed)

        let elements = Fixtures.elements(events)
        let features = elements[0]
        #expect(features.name == "features" && features.namespace == XMLNamespace.streams)
        #expect(features.child("bind", namespace: "urn:ietf:params:xml:ns:xmpp-bind")?.child("required") != nil)
        #expect(features.child("sm")?.namespace == "urn:xmpp:sm:3")
        #expect(features.child("c")?.attribute("ver") == "q07IKJEyjvHSyhy//CH0CxmKi8w=")

        #expect(elements[1].namespace == "jabber:client")
        #expect(elements[1].child("bind")?.child("jid")?.text == "dev@example.org/kinglet")
        #expect(elements[1].child("bind")?.child("jid")?.namespace == "urn:ietf:params:xml:ns:xmpp-bind")

        let chat = elements[2]
        #expect(chat.attributes.map(\.name) == ["from", "to", "type", "id", "xml:lang"])
        #expect(chat.attribute("xml:lang") == "de")
        #expect(chat.child("body", namespace: "jabber:client")?.text == "read temp & humidity <now> – grüß dich 🌡")
        #expect(chat.child("active")?.namespace == "http://jabber.org/protocol/chatstates")

        let readout = try #require(elements[5].child("event")?.child("items")?.child("item")?.child("fields"))
        #expect(readout.namespace == "urn:xmpp:iot:sensordata")
        let timestamp = try #require(readout.child("node")?.child("timestamp"))
        #expect(timestamp.elements.map(\.name) == ["numeric", "boolean"])
        #expect(timestamp.child("numeric")?.attribute("unit") == "°C")
        #expect(timestamp.children.count == 5, "whitespace between fields is kept as text")

        #expect(elements[6] == XMLElement("r", namespace: "urn:xmpp:sm:3"))
        #expect(elements[7].child("query")?.child("item")?.attribute("name") == "Bob 'the builder' & co")

        let last = elements[8]
        #expect(last.child("body")?.children == [.text("x < y && z]]>")], "CDATA joins the text around it")
        let info = try #require(last.child("info", namespace: "urn:example:x"))
        #expect(info.attributes == [XMLAttribute("xmlns:x", "urn:example:x"), XMLAttribute("x:kind", "a")])
    }

    @Test func byteByByteGivesTheSameEvents() throws {
        let whole = try Fixtures.parseWhole()
        let parser = LibXML2StreamParser()
        var events = [StreamEvent]()
        for byte in Fixtures.stream {
            events += try parser.feed([byte])
        }
        #expect(events == whole)
    }

    @Test func everySplitPointGivesTheSameEvents() throws {
        let whole = try Fixtures.parseWhole()
        let bytes = Fixtures.stream
        for split in 1..<bytes.count {
            let events = try Fixtures.parse(bytes, pieces: [split])
            if events != whole {
                Issue.record("split at byte \(split) changed the events")
                return
            }
        }
    }

    /// A stanza must come out as soon as its last byte is in, with nothing after it: the server
    /// sends `<proceed/>` and then waits for the TLS handshake.
    @Test func eachStanzaIsDeliveredByItsOwnLastByte() throws {
        let parser = LibXML2StreamParser()
        #expect(try parser.feed(Array(Fixtures.header.utf8)).count == 1, "the header needs nothing after it either")
        for stanza in Fixtures.stanzas {
            let bytes = Array(stanza.utf8)
            #expect(try parser.feed(Array(bytes.dropLast())).isEmpty)
            let events = try parser.feed([bytes.last!])
            #expect(Fixtures.elements(events).count == 1, "\(stanza.prefix(40))")
        }
        #expect(try parser.feed(Array("</stream:stream>".utf8)) == [.closed])
    }

    @Test func restartAfterResetParsesANewStream() throws {
        let parser = LibXML2StreamParser()
        let first = try parser.feed(Fixtures.streamBytes(
            "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>"
                + "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"))
        #expect(first.count == 3)
        #expect(Fixtures.elements(first).last?.name == "proceed")

        // After TLS the server sends a fresh header, with a new XML declaration.
        parser.reset()
        let second = try parser.feed(Fixtures.streamBytes(Fixtures.stanzas[0]))
        #expect(second.count == 2)
        guard case .opened(let header) = second.first else {
            Issue.record("no header after reset")
            return
        }
        #expect(header.attribute("id") == "c2s-4f1a")
        #expect(Fixtures.elements(second).first?.name == "features")
    }

    @Test func resetMakesAFailedParserUsableAgain() throws {
        let parser = LibXML2StreamParser()
        #expect(throws: XMLStreamError.self) { try parser.feed(Fixtures.streamBytes("<a></b>")) }
        // The failure is sticky until reset.
        let again = #expect(throws: XMLStreamError.self) { try parser.feed(Array("<ok/>".utf8)) }
        #expect(again?.condition == .notWellFormed)
        parser.reset()
        #expect(try parser.feed(Fixtures.stream) == Fixtures.parseWhole())
    }

    @Test func headerWithoutXMLDeclarationAndStreamsNamespaceOnly() throws {
        let bytes = Array("<stream:stream xmlns:stream='http://etherx.jabber.org/streams' from='a'><x xmlns='urn:x'/>".utf8)
        let events = try LibXML2StreamParser().feed(bytes)
        let header = StreamHeader(attributes: [XMLAttribute("from", "a")], contentNamespace: nil)
        #expect(events == [.opened(header), .element(XMLElement("x", namespace: "urn:x"))])
    }

    @Test func keepalivesAndPartialStanzasProduceNoEvents() throws {
        let parser = LibXML2StreamParser()
        #expect(try parser.feed(Fixtures.streamBytes("")).count == 1)
        #expect(try parser.feed(Array("  \n ".utf8)).isEmpty)
        #expect(try parser.feed(Array("<message><body>hal".utf8)).isEmpty)
        let events = try parser.feed(Array("lo</body></message> ".utf8))
        #expect(Fixtures.elements(events).first?.child("body")?.text == "hallo")
    }

    @Test func namespacesResolvePerElement() throws {
        let element = try XMLElement(parsing:
            "<iq><a:query xmlns:a='urn:a' xmlns='urn:default'><a:item/><plain/><inner xmlns='urn:inner'><leaf/></inner></a:query></iq>")
        #expect(element.namespace == "jabber:client")
        let query = try #require(element.child("query"))
        #expect(query.namespace == "urn:a")
        #expect(query.elements.map(\.namespace) == ["urn:a", "urn:default", "urn:inner"])
        #expect(query.child("inner")?.child("leaf")?.namespace == "urn:inner")
        #expect(try XMLElement(parsing: "<x xmlns=''/>").namespace == "", "no namespace is the empty string")
    }
}

@Suite struct EntityTests {
    /// RFC 6120 allows the five predefined entities and character references, nothing else;
    /// with entity substitution off libxml2 hands `&` over as `&#38;` (see SAXReceiver).
    @Test(arguments: [
        ("&amp;", "&"), ("&#38;", "&"), ("&#x26;", "&"), ("&apos;", "'"), ("&lt;&gt;&quot;", "<>\""),
        ("&amp;amp;", "&amp;"), ("&#38;#38;", "&#38;"), ("x&#x41;y", "xAy"), ("a&amp;b&amp;&amp;c", "a&b&&c"),
        ("&#60;&#x3E;", "<>"), ("&#xE9;&#x1F600;", "é😀"), ("é😀中", "é😀中"), ("&#9;&#10;&#13;", "\t\n\r"),
        ("a\tb\nc", "a b c"), ("&quot;&apos;", "\"'"), ("", ""), ("&#38;amp;", "&amp;"), ("&amp;#38;", "&#38;"),
    ])
    func attributeValues(written: String, expected: String) throws {
        let element = try XMLElement(parsing: "<x a='\(written)' b=\"\(written)\"/>")
        #expect(element.attribute("a") == expected)
        #expect(element.attribute("b") == expected)
    }

    @Test(arguments: [
        ("&amp;", "&"), ("&#38;", "&"), ("&amp;amp;", "&amp;"), ("&lt;tag&gt;", "<tag>"), ("&#x41;&#66;", "AB"),
        ("&quot;&apos;", "\"'"), ("<![CDATA[<&>]]>", "<&>"), ("a<![CDATA[b]]>c", "abc"), ("a\r\nb\rc", "a\nb\nc"),
        ("&#13;&#x9;", "\r\t"), ("grüß 🌡", "grüß 🌡"), ("&#x1F321;", "🌡"), ("]]&gt;", "]]>"),
    ])
    func textContent(written: String, expected: String) throws {
        let element = try XMLElement(parsing: "<body>\(written)</body>")
        #expect(element.text == expected)
        #expect(element.children.count == 1, "one text node, however libxml2 split it")
    }
}
