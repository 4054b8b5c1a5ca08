/// The SASL mechanisms Kinglet speaks, strongest first. The -PLUS (channel binding) variants
/// are deliberately absent: see `SCRAMClient.gs2Header`.
package enum SASLMechanism: String, Sendable, CaseIterable {
    /// XEP-0178: the TLS client certificate is the credential.
    case external = "EXTERNAL"
    case scramSHA256 = "SCRAM-SHA-256"
    case scramSHA1 = "SCRAM-SHA-1"
    /// RFC 4616: the password in the clear, so only ever inside TLS.
    case plain = "PLAIN"

    /// The name as it appears in `<mechanism>` and in `<auth mechanism='…'>`.
    package var name: String { rawValue }

    /// Picks the strongest acceptable mechanism the server offers: EXTERNAL when a client
    /// certificate is configured (and TLS carries it), then SCRAM-SHA-256, SCRAM-SHA-1, and
    /// PLAIN only inside TLS. Throws `.noAcceptableMechanism` with the reason otherwise.
    package static func select(
        offered: [String], tlsActive: Bool, hasClientCertificate: Bool, hasPassword: Bool
    ) throws(SASLError) -> SASLMechanism {
        // Mechanism names are upper case (RFC 4422 §3.1); tolerate whitespace from the XML.
        let names = Set(offered.map { $0.trimmed.uppercased() })
        let list = offered.isEmpty ? "nothing" : offered.map(\.trimmed).joined(separator: ", ")
        if hasClientCertificate && tlsActive && names.contains(Self.external.name) {
            return .external
        }
        if hasPassword {
            for mechanism in [Self.scramSHA256, .scramSHA1] where names.contains(mechanism.name) {
                return mechanism
            }
            if names.contains(Self.plain.name) {
                if tlsActive { return .plain }
                throw .noAcceptableMechanism(
                    reason: "PLAIN would send the password unencrypted and the stream has no TLS (offered: \(list))")
            }
        }
        let reason: String
        switch (hasPassword, hasClientCertificate) {
        case (false, false):
            reason = "no password and no client certificate are configured"
        case (false, true):
            reason = tlsActive
                ? "a client certificate is configured but the server does not offer EXTERNAL (offered: \(list))"
                : "a client certificate needs TLS, and the stream has none"
        default:
            reason = "the server offers \(list); Kinglet speaks SCRAM-SHA-256, SCRAM-SHA-1, PLAIN over TLS"
                + (hasClientCertificate ? " and EXTERNAL" : "")
        }
        throw .noAcceptableMechanism(reason: reason)
    }
}

extension String {
    fileprivate var trimmed: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
