import Agent
import Glibc
import Support
import Transport

/// Where the agent would connect, and whether each place answers: the endpoints planned the way
/// the session plans them (configured servers or host, else DNS SRV, else the domain), each
/// resolved, then each reached over TCP.
enum NetworkChecks {
    /// At most this many endpoints are tried over TCP: enough to see a fallback, not a scan.
    static let maximumReached = 4

    /// The DNS line, and the endpoints to reach (empty when DNS failed).
    static func dns(_ settings: XMPPSettings) async -> (Finding, [Endpoint]) {
        await OffloadThread.run {
            var planner = EndpointPlanner(
                domain: settings.jid.domain, host: settings.host, port: settings.port, directTLS: settings.directTLS)
            planner.servers = settings.servers
            let (endpoints, note) = planner.plan(lookup: SystemSRVLookup())
            guard !endpoints.isEmpty else {
                return (.failed("DNS", note, fix: "publish _xmpp-client._tcp SRV records, or set [xmpp] host"), [])
            }
            var resolved: [String] = []
            for endpoint in endpoints {
                do {
                    let addresses = try TCPConnector.resolve(host: endpoint.host, port: endpoint.port)
                    let shown = addresses.joined(separator: ", ")
                    resolved.append(addresses == ["\(endpoint.host):\(endpoint.port)"] ? "\(endpoint)" : "\(endpoint) → \(shown)")
                } catch {
                    return (.failed("DNS", "\(error)", fix: "check the name in the config or SRV record, and /etc/resolv.conf"), [])
                }
            }
            return (.ok("DNS", "\(note): " + resolved.joined(separator: "; ")), endpoints)
        }
    }

    /// One TCP line per endpoint.
    static func tcp(_ endpoints: [Endpoint], timeout: Duration) async -> [Finding] {
        var findings: [Finding] = []
        for endpoint in endpoints.prefix(maximumReached) {
            findings.append(await OffloadThread.run { reach(endpoint, timeout: timeout) })
        }
        return findings
    }

    private static func reach(_ endpoint: Endpoint, timeout: Duration) -> Finding {
        let start = ContinuousClock.now
        do {
            let fd = try TCPConnector.connect(
                host: endpoint.host, port: endpoint.port, timeoutMilliseconds: Int32(clamping: timeout.milliseconds))
            close(fd)
            let elapsed = ContinuousClock.now - start
            return .ok("TCP", "\(endpoint) accepts connections (\(elapsed.milliseconds) ms)")
        } catch {
            return .failed("TCP", "\(error)", fix: "is the server running and listening there? is a firewall in the way?")
        }
    }
}
