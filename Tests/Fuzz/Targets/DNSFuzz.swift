import Transport

/// A DNS answer to the SRV queries (RFC 1035 with name compression, including pointer loops),
/// read as the resolver hands it over (at most 4096 bytes), then ordered by RFC 2782 priority
/// and weight into the endpoints the agent would try.
///
/// Input: the answer message, used for both the `_xmpps-client` and `_xmpp-client` queries.
enum DNSFuzz: FuzzTarget {
    static let name = "dns-srv"

    struct Answer: SRVLookup {
        let records: [SRVRecord]
        func lookup(_ name: String) -> SRVAnswer { records.isEmpty ? .none : .records(records) }
    }

    static func run(_ bytes: [UInt8]) {
        guard let records = DNSMessage.srvRecords(in: Array(bytes.prefix(4096))) else { return }
        var draws: UInt32 = 0x9E37_79B9
        let (endpoints, _) = EndpointPlanner(domain: "example.org").plan(lookup: Answer(records: records)) { bound in
            draws = draws &* 1_664_525 &+ 1_013_904_223
            return draws % max(bound, 1)
        }
        let targets = Set(records.map(\.target) + ["example.org"])
        precondition(endpoints.allSatisfy { targets.contains($0.host) }, "an endpoint that no record named")
        precondition(endpoints.count <= 2 * records.count + 1, "more endpoints than records")
    }
}
