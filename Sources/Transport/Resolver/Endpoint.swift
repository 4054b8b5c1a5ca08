/// One place to try to connect: a host name or address, a port, and whether TLS starts at once
/// (XEP-0368 direct TLS) or after STARTTLS.
package struct Endpoint: Sendable, Hashable, CustomStringConvertible {
    package var host: String
    package var port: UInt16
    package var directTLS: Bool

    package init(host: String, port: UInt16, directTLS: Bool) {
        self.host = host
        self.port = port
        self.directTLS = directTLS
    }

    package var description: String {
        let shown = host.contains(":") ? "[\(host)]" : host
        return "\(shown):\(port)" + (directTLS ? " (direct TLS)" : "")
    }
}

/// One SRV resource record (RFC 2782).
package struct SRVRecord: Sendable, Hashable {
    package var priority: UInt16
    package var weight: UInt16
    package var port: UInt16
    /// Target host name without the trailing dot; "." means "service not offered here".
    package var target: String

    package init(priority: UInt16, weight: UInt16, port: UInt16, target: String) {
        self.priority = priority
        self.weight = weight
        self.port = port
        self.target = target
    }
}

/// What a DNS SRV query gave.
package enum SRVAnswer: Sendable, Equatable {
    case records([SRVRecord])
    /// NXDOMAIN or no SRV records: fall back to the domain itself.
    case none
    /// The resolver failed (no network, time-out): also a fallback, but worth logging.
    case failed(String)
}

/// Looks up SRV records; injected so planning can be tested without DNS.
package protocol SRVLookup: Sendable {
    func lookup(_ name: String) -> SRVAnswer
}
