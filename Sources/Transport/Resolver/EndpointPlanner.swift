/// Decides where to connect, in order: RFC 6120 §3.2 with XEP-0368.
///
/// `_xmpps-client._tcp` (direct TLS) and `_xmpp-client._tcp` (STARTTLS) records are merged and
/// ordered by priority, then by weighted random choice within a priority (RFC 2782). With no
/// SRV records at all, the domain itself is tried on 5222 (or 5223 when direct TLS is asked for).
/// A configured host, or a configured list of servers, skips DNS entirely.
package struct EndpointPlanner: Sendable {
    package var domain: String
    package var host: String?
    package var port: UInt16?
    /// Configured servers (`[xmpp] servers`), tried in this order; a configured `host` (or a
    /// redirect) comes first.
    package var servers: [Endpoint] = []
    /// Prefer direct TLS: used for a configured host, and for the fallback without SRV records.
    package var directTLS: Bool

    package init(domain: String, host: String? = nil, port: UInt16? = nil, directTLS: Bool = false) {
        self.domain = domain
        self.host = host
        self.port = port
        self.directTLS = directTLS
    }

    /// The endpoints to try, in order, and a note for the log about how they were chosen.
    package func plan(
        lookup: some SRVLookup, random: (UInt32) -> UInt32 = { UInt32.random(in: 0..<max($0, 1)) }
    ) -> (endpoints: [Endpoint], note: String) {
        if let host {
            return ([Endpoint(host: host, port: port ?? (directTLS ? 5223 : 5222), directTLS: directTLS)], "configured host")
        }
        if !servers.isEmpty {
            return (servers, "\(servers.count) configured server(s)")
        }
        let tls = lookup.lookup("_xmpps-client._tcp." + domain)
        let plain = lookup.lookup("_xmpp-client._tcp." + domain)
        var candidates: [(SRVRecord, Bool)] = []
        var notes: [String] = []
        if case .records(let records) = tls {
            // A lone "." target means direct TLS is not offered; it is not a reason to stop.
            if !(records.count == 1 && records[0].target == ".") {
                candidates += records.map { ($0, true) }
            }
        }
        if case .records(let records) = plain {
            if records.count == 1 && records[0].target == "." && candidates.isEmpty {
                return ([], "_xmpp-client._tcp.\(domain) says the service is not offered")
            }
            candidates += records.filter { $0.target != "." }.map { ($0, false) }
        }
        for (name, answer) in [("_xmpps-client", tls), ("_xmpp-client", plain)] {
            if case .failed(let reason) = answer { notes.append("\(name) lookup failed: \(reason)") }
        }
        if candidates.isEmpty {
            let fallback = Endpoint(host: domain, port: port ?? (directTLS ? 5223 : 5222), directTLS: directTLS)
            return ([fallback], (notes + ["no SRV records, using \(fallback)"]).joined(separator: "; "))
        }
        let ordered = Self.order(candidates, random: random)
        let endpoints = ordered.map { Endpoint(host: $0.0.target, port: $0.0.port, directTLS: $0.1) }
        return (endpoints, (notes + ["\(endpoints.count) SRV target(s)"]).joined(separator: "; "))
    }

    /// RFC 2782 ordering: ascending priority; within one priority, repeatedly pick a record with
    /// probability proportional to its weight (zero-weight records first in the running sum, so
    /// they are picked rarely but not never).
    static func order(_ records: [(SRVRecord, Bool)], random: (UInt32) -> UInt32) -> [(SRVRecord, Bool)] {
        var result: [(SRVRecord, Bool)] = []
        let priorities = Set(records.map { $0.0.priority }).sorted()
        for priority in priorities {
            var group = records.filter { $0.0.priority == priority }
            group.sort { $0.0.weight == 0 && $1.0.weight != 0 }
            while !group.isEmpty {
                let total = group.reduce(UInt32(0)) { $0 + UInt32($1.0.weight) }
                let pick = total == 0 ? 0 : random(total + 1)
                var running: UInt32 = 0
                var chosen = group.count - 1
                for (index, record) in group.enumerated() {
                    running += UInt32(record.0.weight)
                    if running >= pick {
                        chosen = index
                        break
                    }
                }
                result.append(group.remove(at: chosen))
            }
        }
        return result
    }
}
