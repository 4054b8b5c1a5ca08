import Testing
@testable import Transport

/// An SRV lookup that answers from a table, as a DNS server would.
struct TableLookup: SRVLookup {
    var answers: [String: SRVAnswer]
    func lookup(_ name: String) -> SRVAnswer { answers[name] ?? .none }
}

@Suite struct EndpointPlannerTests {
    @Test func configuredHostSkipsDNS() {
        let planner = EndpointPlanner(domain: "example.org", host: "127.0.0.1", port: 15222)
        let (endpoints, _) = planner.plan(lookup: TableLookup(answers: [
            "_xmpp-client._tcp.example.org": .records([SRVRecord(priority: 0, weight: 0, port: 5222, target: "xmpp.example.org")])
        ]))
        #expect(endpoints == [Endpoint(host: "127.0.0.1", port: 15222, directTLS: false)])
    }

    @Test func configuredHostWithDirectTLSDefaultsTo5223() {
        let (endpoints, _) = EndpointPlanner(domain: "example.org", host: "10.0.0.1", directTLS: true)
            .plan(lookup: TableLookup(answers: [:]))
        #expect(endpoints == [Endpoint(host: "10.0.0.1", port: 5223, directTLS: true)])
    }

    @Test func configuredServersSkipDNSInTheirOrder() {
        var planner = EndpointPlanner(domain: "example.org")
        planner.servers = [
            Endpoint(host: "b.example.org", port: 5222, directTLS: false),
            Endpoint(host: "a.example.org", port: 15222, directTLS: false),
        ]
        let (endpoints, note) = planner.plan(lookup: TableLookup(answers: [
            "_xmpp-client._tcp.example.org": .records([SRVRecord(priority: 0, weight: 0, port: 5222, target: "srv.example.org")])
        ]))
        #expect(endpoints == planner.servers)
        #expect(note == "2 configured server(s)")
        // A redirect (host) still wins over the list.
        planner.host = "other.example.org"
        #expect(planner.plan(lookup: TableLookup(answers: [:])).endpoints.map(\.host) == ["other.example.org"])
    }

    @Test(arguments: [
        ("a.example.org", "a.example.org", nil),
        ("a.example.org:5223", "a.example.org", 5223),
        ("127.0.0.1:15222", "127.0.0.1", 15222),
        ("[2001:db8::1]:5222", "2001:db8::1", 5222),
        ("[::1]", "::1", nil),
    ] as [(String, String, UInt16?)])
    func splitsHostAndPort(text: String, host: String, port: UInt16?) {
        let split = Endpoint.splitHostPort(text)
        #expect(split?.host == host)
        #expect(split?.port == port)
    }

    @Test(arguments: ["", ":5222", "a.example.org:", "a.example.org:0", "a.example.org:70000", "a:b", "2001:db8::1", "[::1", "[::1]x", "a b:1"])
    func refusesMalformedHostPort(text: String) {
        #expect(Endpoint.splitHostPort(text) == nil)
    }

    @Test func noRecordsFallsBackToTheDomain() {
        let (endpoints, note) = EndpointPlanner(domain: "example.org").plan(lookup: TableLookup(answers: [:]))
        #expect(endpoints == [Endpoint(host: "example.org", port: 5222, directTLS: false)])
        #expect(note.contains("no SRV records"))
    }

    @Test func resolverFailureIsNotedAndFallsBack() {
        let (endpoints, note) = EndpointPlanner(domain: "example.org")
            .plan(lookup: TableLookup(answers: ["_xmpp-client._tcp.example.org": .failed("timeout")]))
        #expect(endpoints.count == 1)
        #expect(note.contains("timeout"))
    }

    @Test func mergesBothServicesByPriority() {
        let lookup = TableLookup(answers: [
            "_xmpps-client._tcp.example.org": .records([SRVRecord(priority: 5, weight: 0, port: 5223, target: "tls.example.org")]),
            "_xmpp-client._tcp.example.org": .records([
                SRVRecord(priority: 10, weight: 0, port: 5222, target: "b.example.org"),
                SRVRecord(priority: 1, weight: 0, port: 5222, target: "a.example.org"),
            ]),
        ])
        let (endpoints, _) = EndpointPlanner(domain: "example.org").plan(lookup: lookup, random: { _ in 0 })
        #expect(endpoints.map(\.host) == ["a.example.org", "tls.example.org", "b.example.org"])
        #expect(endpoints.map(\.directTLS) == [false, true, false])
    }

    @Test func dotTargetMeansNotOffered() {
        let lookup = TableLookup(answers: [
            "_xmpp-client._tcp.example.org": .records([SRVRecord(priority: 0, weight: 0, port: 0, target: ".")])
        ])
        let (endpoints, note) = EndpointPlanner(domain: "example.org").plan(lookup: lookup)
        #expect(endpoints.isEmpty)
        #expect(note.contains("not offered"))
    }

    @Test func dotDirectTLSTargetIsIgnoredWithoutFallback() {
        let lookup = TableLookup(answers: [
            "_xmpps-client._tcp.example.org": .records([SRVRecord(priority: 0, weight: 0, port: 0, target: ".")]),
            "_xmpp-client._tcp.example.org": .records([SRVRecord(priority: 0, weight: 0, port: 5222, target: "x.example.org")]),
        ])
        let (endpoints, _) = EndpointPlanner(domain: "example.org").plan(lookup: lookup)
        #expect(endpoints == [Endpoint(host: "x.example.org", port: 5222, directTLS: false)])
    }

    /// RFC 2782: within one priority a record is chosen with probability proportional to its weight.
    @Test func weightsShapeTheOrder() {
        let records = [
            (SRVRecord(priority: 0, weight: 10, port: 1, target: "light"), false),
            (SRVRecord(priority: 0, weight: 90, port: 2, target: "heavy"), false),
        ]
        var generator = SplitMix(seed: 42)
        var heavyFirst = 0
        for _ in 0..<2000 {
            let order = EndpointPlanner.order(records, random: { UInt32(generator.next() % UInt64($0)) })
            #expect(order.count == 2)
            if order[0].0.target == "heavy" { heavyFirst += 1 }
        }
        // Expected 90% (1800); a generous band keeps this deterministic seed well inside it.
        #expect((1650...1950).contains(heavyFirst))
    }

    @Test func zeroWeightsStillAllAppear() {
        let records = (0..<5).map { (SRVRecord(priority: 3, weight: 0, port: UInt16($0), target: "h\($0)"), false) }
        let order = EndpointPlanner.order(records, random: { _ in 0 })
        #expect(Set(order.map(\.0.target)) == Set(records.map(\.0.target)))
    }
}

/// A tiny deterministic generator for the weighting test.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
