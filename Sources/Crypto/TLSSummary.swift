package import Support

/// One certificate of the chain the server presented, as far as people need it.
package struct PeerCertificate: Sendable, Hashable {
    package var subject: String
    package var issuer: String
    /// The DNS names it is for (subjectAltName).
    package var dnsNames: [String]
    package var notAfter: Timestamp

    package init(subject: String, issuer: String, dnsNames: [String], notAfter: Timestamp) {
        self.subject = subject
        self.issuer = issuer
        self.dnsNames = dnsNames
        self.notAfter = notAfter
    }
}

/// An established TLS session: the one line the log shows (version, cipher suite, ALPN, ...)
/// and the verified chain, server certificate first (for `kinglet doctor`).
package struct TLSSummary: Sendable, Hashable, CustomStringConvertible {
    /// `TLSv1.2 TLS-ECDHE-ECDSA-WITH-AES-256-GCM-SHA384, ALPN xmpp-client`.
    package var line: String
    package var chain: [PeerCertificate]

    package init(line: String, chain: [PeerCertificate] = []) {
        self.line = line
        self.chain = chain
    }

    package var description: String { line }
}
