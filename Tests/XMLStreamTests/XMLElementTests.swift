import Testing
@testable import XMLStream

@Suite struct XMLElementTests {
    static let sample = XMLElement("iq", namespace: "jabber:client", attributes: ["type": "get", "id": "p1"]) {
        XMLElement("query", namespace: "http://jabber.org/protocol/disco#info") {
            XMLElement("identity", attributes: ["category": "client", "type": "bot"])
            XMLElement("feature", attributes: ["var": "urn:xmpp:ping"])
            XMLElement("feature", attributes: ["var": "urn:xmpp:iot:sensordata"])
        }
        XMLElement("x", namespace: "urn:other")
    }

    @Test func attributesKeepTheirOrder() {
        #expect(Self.sample.attributes == [XMLAttribute("type", "get"), XMLAttribute("id", "p1")])
        #expect(Self.sample.attribute("id") == "p1")
        #expect(Self.sample.attribute("missing") == nil)
    }

    @Test func childQueriesMatchNameAndNamespace() throws {
        let query = try #require(Self.sample.child("query", namespace: "http://jabber.org/protocol/disco#info"))
        #expect(Self.sample.child("query", namespace: "jabber:iq:version") == nil)
        #expect(Self.sample.child("query") == query, "nil matches any namespace")
        #expect(query.children("feature").map { $0.attribute("var") } == ["urn:xmpp:ping", "urn:xmpp:iot:sensordata"])
        #expect(query.children("feature", namespace: "urn:other").isEmpty)
        #expect(Self.sample.elements.map(\.name) == ["query", "x"])
    }

    @Test func childrenWithoutNamespaceTakeTheParents() throws {
        let query = try #require(Self.sample.child("query"))
        #expect(query.elements.allSatisfy { $0.namespace == "http://jabber.org/protocol/disco#info" })
        let nested = XMLElement("a") { XMLElement("b") { XMLElement("c") } }
        #expect(nested.child("b")?.namespace == nil, "nothing to take yet")
        var outer = XMLElement("outer", namespace: "urn:o")
        outer.append(nested)
        #expect(outer.child("a")?.child("b")?.child("c")?.namespace == "urn:o")
        var explicit = XMLElement("outer", namespace: "urn:o")
        explicit.append(XMLElement("kept", namespace: ""))
        #expect(explicit.child("kept")?.namespace == "")
    }

    @Test func textIsJoinedAndEmptyTextDropped() {
        var element = XMLElement("body", children: [.text("a"), .text(""), .text("b")])
        #expect(element.children == [.text("ab")])
        element.append(text: "c")
        element.append(XMLElement("br"))
        element.append(text: "d")
        element.append(text: "")
        #expect(element.children == [.text("abc"), .element(XMLElement("br")), .text("d")])
        #expect(element.text == "abcd")
    }

    @Test func setAttributeReplacesAppendsAndRemoves() {
        var element = XMLElement("iq", attributes: ["type": "get", "id": "p1", "to": "a@b"])
        element.setAttribute("type", "result")
        element.setAttribute("from", "c@d")
        element.setAttribute("to", nil)
        element.setAttribute("absent", nil)
        #expect(element.attributes == [XMLAttribute("type", "result"), XMLAttribute("id", "p1"), XMLAttribute("from", "c@d")])
    }

    @Test func builderTakesConditionsLoopsAndOptionals() {
        let fields = ["a", "b"]
        let include = false
        let optional: XMLElement? = nil
        let element = XMLElement("x") {
            for name in fields { XMLElement("field", attributes: ["var": name]) }
            if include { XMLElement("never") } else { "text" }
            optional
            [XMLElement("y"), XMLElement("z")]
        }
        #expect(element.elements.map(\.name) == ["field", "field", "y", "z"])
        #expect(element.text == "text")
    }

    @Test func dynamicAttributeLists() {
        let list = (1...3).map { XMLAttribute("a\($0)", "\($0)") }
        #expect(XMLElement("e", attributes: list).serialized() == "<e a1='1' a2='2' a3='3'/>")
    }

    @Test func parsingHelperWantsExactlyOneElement() {
        #expect(throws: XMLStreamError.self) { try XMLElement(parsing: "<a/><b/>") }
        #expect(throws: XMLStreamError.self) { try XMLElement(parsing: "just text") }
        #expect(throws: XMLStreamError.self) { try XMLElement(parsing: "<a>") }
    }
}
