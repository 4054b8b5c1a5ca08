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

    /// Splits `host`, `host:port` or `[v6]:port` (a `see-other-host` value, a `servers` entry).
    /// Nil for an empty host, a port that is not 1-65535, or a bare IPv6 address without brackets.
    package static func splitHostPort(_ text: String) -> (host: String, port: UInt16?)? {
        let host: Substring
        let rest: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            rest = text[text.index(after: close)...]
        } else if let colon = text.firstIndex(of: ":") {
            host = text[..<colon]
            rest = text[colon...]
        } else {
            host = text[...]
            rest = ""
        }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" }) else { return nil }
        if rest.isEmpty { return (String(host), nil) }
        guard rest.hasPrefix(":"), let port = UInt16(rest.dropFirst()), port > 0 else { return nil }
        return (String(host), port)
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
