/// A SASL failure condition a server sends in `<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>`
/// (RFC 6120 §6.5). Names the server invents are kept as `.other`.
package enum SASLFailureCondition: Sendable, Hashable {
    case aborted
    case accountDisabled
    case credentialsExpired
    case encryptionRequired
    case incorrectEncoding
    case invalidAuthzid
    case invalidMechanism
    case malformedRequest
    case mechanismTooWeak
    case notAuthorized
    case temporaryAuthFailure
    case other(String)

    private static let known: [(String, SASLFailureCondition)] = [
        ("aborted", .aborted), ("account-disabled", .accountDisabled), ("credentials-expired", .credentialsExpired),
        ("encryption-required", .encryptionRequired), ("incorrect-encoding", .incorrectEncoding),
        ("invalid-authzid", .invalidAuthzid), ("invalid-mechanism", .invalidMechanism),
        ("malformed-request", .malformedRequest), ("mechanism-too-weak", .mechanismTooWeak),
        ("not-authorized", .notAuthorized), ("temporary-auth-failure", .temporaryAuthFailure),
    ]

    /// The condition for the local name of the `<failure/>` child element.
    package init(name: String) {
        self = Self.known.first { $0.0 == name }?.1 ?? .other(name)
    }

    /// The element name, e.g. `not-authorized`.
    package var name: String {
        if case .other(let name) = self { return name }
        return Self.known.first { $0.1 == self }!.0
    }

    /// What the condition means for the person reading the log.
    var meaning: String {
        switch self {
        case .aborted: "the exchange was aborted"
        case .accountDisabled: "the account is disabled"
        case .credentialsExpired: "the password has expired"
        case .encryptionRequired: "the server requires encryption for this mechanism"
        case .incorrectEncoding: "the server could not decode what Kinglet sent"
        case .invalidAuthzid: "the authorization identity was refused"
        case .invalidMechanism: "the server does not support the mechanism Kinglet chose"
        case .malformedRequest: "the server found the request malformed"
        case .mechanismTooWeak: "the server requires a stronger mechanism"
        case .notAuthorized: "wrong user name or password"
        case .temporaryAuthFailure: "temporary failure on the server"
        case .other: "unknown condition"
        }
    }
}

/// Why authentication failed: a server `<failure/>`, or something Kinglet detected itself.
///
/// No case carries a password, a proof, a salted hash, a nonce or a key, so every description
/// is safe to log.
package enum SASLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server sent `<failure>` with this condition and optional `<text>`.
    case failure(SASLFailureCondition, text: String?)
    /// No offered mechanism is acceptable; the reason says what was offered and what is missing.
    case noAcceptableMechanism(reason: String)
    /// The configured user name or password cannot be prepared (SASLprep); says which and why.
    case unusableCredentials(String)
    /// A server SCRAM message does not follow RFC 5802; says which part.
    case malformedServerMessage(String)
    /// The server-first message demands an extension (`m=`) that we do not implement.
    case unsupportedExtension
    /// The server's nonce does not extend ours: a replay, a confused server, or an attacker.
    case nonceMismatch
    /// The SCRAM iteration count is outside what Kinglet accepts.
    case iterationCountOutOfRange(count: Int, allowed: ClosedRange<Int>)
    /// The server ended SCRAM with `e=` and this error value.
    case serverError(String)
    /// The server's `v=` does not match: it does not know our password (an impostor).
    case serverSignatureMismatch
    /// The server reported success without ever proving that it knows our password (`v=`).
    case serverSignatureMissing
    /// The server sent a challenge when the mechanism expects none.
    case unexpectedChallenge

    /// Whether retrying cannot help until someone changes the configuration or the server:
    /// the session must not reconnect in a loop on these (RFC 6120 §4.9.3 makes the same
    /// point for `not-authorized`).
    package var isPermanent: Bool {
        switch self {
        case .failure(let condition, _):
            switch condition {
            case .aborted, .temporaryAuthFailure, .other: return false
            default: return true
            }
        case .serverError(let value):
            return value != "no-resources" && value != "other-error"
        case .malformedServerMessage, .unexpectedChallenge:
            return false
        case .noAcceptableMechanism, .unusableCredentials, .unsupportedExtension, .nonceMismatch,
            .iterationCountOutOfRange, .serverSignatureMismatch, .serverSignatureMissing:
            return true
        }
    }

    package var description: String {
        switch self {
        case .failure(let condition, let text):
            let said = text.map { " (server says: \(Self.printable($0)))" } ?? ""
            return "SASL failure \(Self.printable(condition.name)): \(condition.meaning)\(said)"
        case .noAcceptableMechanism(let reason):
            return "no acceptable SASL mechanism: \(reason)"
        case .unusableCredentials(let reason):
            return "cannot authenticate: \(reason)"
        case .malformedServerMessage(let what):
            return "malformed SCRAM message from the server: \(what)"
        case .unsupportedExtension:
            return "the server requires a SCRAM extension (m=) that Kinglet does not support"
        case .nonceMismatch:
            return "SCRAM nonce mismatch: the server's nonce does not start with ours"
        case .iterationCountOutOfRange(let count, let allowed):
            return "SCRAM iteration count \(count) is outside \(allowed.lowerBound)...\(allowed.upperBound)"
        case .serverError(let value):
            return "the server rejected the SCRAM exchange: \(Self.printable(value))"
        case .serverSignatureMismatch:
            return "SCRAM server signature mismatch: the server does not know the password (impostor?)"
        case .serverSignatureMissing:
            return "the server reported success without proving it knows the password (no v=)"
        case .unexpectedChallenge:
            return "the server sent a SASL challenge the mechanism does not expect"
        }
    }

    /// Server-supplied text for a log line: control characters dropped, length capped.
    private static func printable(_ text: String) -> String {
        let kept = text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }
        let cleaned = String(String.UnicodeScalarView(kept))
        return cleaned.count > 200 ? String(cleaned.prefix(200)) + "..." : cleaned
    }
}
