import Testing
@testable import XMPPCore

@Suite struct JIDTests {
    @Test(arguments: [
        ("juliet@example.com", "juliet", "example.com", nil),
        ("juliet@example.com/foo", "juliet", "example.com", "foo"),
        ("juliet@example.com/foo bar", "juliet", "example.com", "foo bar"),
        ("juliet@example.com/foo@bar", "juliet", "example.com", "foo@bar"),
        ("foo\\20bar@example.com", "foo\\20bar", "example.com", nil),
        ("fussball@example.com", "fussball", "example.com", nil),
        ("fußball@example.com", "fußball", "example.com", nil),
        ("π@example.com", "π", "example.com", nil),
        ("Σ@example.com", "σ", "example.com", nil),
        ("king@example.com/♚", "king", "example.com", "♚"),
        ("example.com", nil, "example.com", nil),
        ("example.com/foobar", nil, "example.com", "foobar"),
        ("a.example.com/b@example.net", nil, "a.example.com", "b@example.net"),
        ("Juliet@Example.COM./Balcony", "juliet", "example.com", "Balcony"),
        ("juliet@[::1]/x", "juliet", "[::1]", "x"),
        ("sensor-7@192.168.1.10", "sensor-7", "192.168.1.10", nil),
        ("a@b/c/d", "a", "b", "c/d"),
    ] as [(String, String?, String, String?)])
    func valid(text: String, local: String?, domain: String, resource: String?) throws {
        let jid = try JID(text)
        #expect(jid.local == local)
        #expect(jid.domain == domain)
        #expect(jid.resource == resource)
    }

    @Test(arguments: [
        "\"juliet\"@example.com", "foo bar@example.com", "henryⅣ@example.com", "♚@example.com",
        "@example.com/", "juliet@", "/foobar", "user@@host", "", "juliet@example.com/",
        "jul<iet@example.com", "a@exa mple.com", "a@example..com", "a@[::1", "a@example.com/x\u{7}",
        String(repeating: "a", count: 1024) + "@example.com",
    ])
    func invalid(text: String) {
        #expect(throws: JIDError.self) { try JID(text) }
    }

    @Test func bareAndFullForms() throws {
        let full = try JID("dev@example.org/kinglet")
        #expect(full.bare.description == "dev@example.org")
        #expect(full.bare.isBare)
        #expect(!full.isBare)
        #expect(full.domainJID.description == "example.org")
        #expect(try full.bare.with(resource: "other").description == "dev@example.org/other")
        #expect(full.description == "dev@example.org/kinglet")
    }

    @Test func preparedFormsCompareEqual() throws {
        #expect(try JID("Alice@Example.org") == JID("alice@example.org"))
        // Canonically equivalent spellings (precomposed vs combining accent) are the same address.
        #expect(try JID("caf\u{E9}@example.org") == JID("cafe\u{301}@example.org"))
        #expect(try JID("a@example.org/R") != JID("a@example.org/r"))
    }

    @Test func lengthLimitIsInOctets() throws {
        let local = String(repeating: "é", count: 511)  // 1022 octets
        #expect(throws: Never.self) { try JID(local + "@example.org") }
        #expect(throws: JIDError.self) { try JID(local + "éé@example.org") }
    }
}
