import Support

/// Where the CA certificates that vouch for the server come from.
package enum TLSTrust: Sendable, Equatable {
    /// The distribution's CA bundle: the first of `systemBundlePaths` that exists.
    case systemBundle
    /// A PEM file of one or more CA certificates (the config's `ca_file`), trusted instead
    /// of the system bundle.
    case caFile(String)

    /// Debian/Ubuntu/Alpine, Fedora/RHEL, and the BSD-style location some images use.
    package static let systemBundlePaths = [
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/pki/tls/certs/ca-bundle.crt",
        "/etc/ssl/cert.pem",
    ]
}

/// A client certificate with its private key, both PEM files, for SASL EXTERNAL (XEP-0178).
/// The key must not be encrypted.
package struct TLSClientCertificate: Sendable, Equatable {
    package var certificateFile: String
    package var keyFile: String

    package init(certificateFile: String, keyFile: String) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
    }
}

/// How to authenticate the server (and optionally ourselves). One per agent: the server name
/// is the JID domain, which does not change across reconnects.
///
/// ALPN is not here but a `TLSSession` argument, because it differs per connection attempt
/// (XEP-0368 direct TLS sends `xmpp-client`, STARTTLS sends nothing) while the loaded
/// credentials are the same.
package struct TLSConfiguration: Sendable, Equatable {
    /// Sent as SNI, and the name the server certificate must carry (RFC 6125: the JID
    /// domain, never the SRV target).
    package var serverName: String
    package var trust: TLSTrust
    /// SHA-256 digests of acceptable server SubjectPublicKeyInfo DER encodings. Empty: no
    /// pinning. Otherwise the chain must verify AND the key must match one of them.
    package var pinnedKeySHA256: [[UInt8]]
    package var clientCertificate: TLSClientCertificate?

    package init(
        serverName: String, trust: TLSTrust = .systemBundle, pinnedKeySHA256: [[UInt8]] = [],
        clientCertificate: TLSClientCertificate? = nil
    ) {
        self.serverName = serverName
        self.trust = trust
        self.pinnedKeySHA256 = pinnedKeySHA256
        self.clientCertificate = clientCertificate
    }

    /// Parses a key pin as an operator writes it: the base64 that a pin-mismatch error shows
    /// (optionally prefixed `sha256/`, as HPKP and curl write it), or 64 hex digits (colons
    /// allowed). `nil` unless it decodes to exactly 32 bytes.
    package static func parsePin(_ text: String) -> [UInt8]? {
        var body = Substring(text)
        if body.hasPrefix("sha256/") { body = body.dropFirst("sha256/".count) }
        let candidates = [Base64.decode(String(body)), Hex.decode(String(body))]
        return candidates.lazy.compactMap { $0 }.first { $0.count == 32 }
    }

    /// How a pin is shown to people: `sha256/` and the base64 digest, which `parsePin` reads back.
    package static func formatPin(_ digest: [UInt8]) -> String {
        "sha256/" + Base64.encode(digest)
    }
}
