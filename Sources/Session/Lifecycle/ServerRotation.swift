package import Transport

/// Which configured server (`[xmpp] servers`) a connection attempt begins with.
///
/// Within one attempt the I/O thread goes down the list while servers refuse or do not answer
/// a TCP connect (a stopped node). Across attempts: a server that got the agent online is tried
/// first again, since its node holds the session to resume; one that took the connection but
/// did not get the agent online (shutting down, overloaded, failing the login) is moved past,
/// so the next attempt begins with the server after it.
package struct ServerRotation: Sendable {
    package let servers: [Endpoint]
    /// Index of the server the next attempt begins with.
    package private(set) var first = 0
    /// Index of the server the current connection reached, if it is one of `servers`.
    private var reached: Int?

    package init(_ servers: [Endpoint]) {
        self.servers = servers
    }

    /// The servers in the order the next attempt tries them.
    package var order: [Endpoint] {
        Array(servers[first...] + servers[..<first])
    }

    /// The connection reached `endpoint` (TCP, and for direct TLS the handshake).
    package mutating func connected(to endpoint: Endpoint) {
        reached = servers.firstIndex(of: endpoint)
    }

    /// The connection ended; `wentOnline` says whether it got the agent online.
    package mutating func connectionEnded(wentOnline: Bool) {
        defer { reached = nil }
        guard let reached else { return }
        first = wentOnline ? reached : (reached + 1) % servers.count
    }
}
