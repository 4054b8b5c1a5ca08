import Crypto

/// One SASL exchange for the mechanism `SASLMechanism.select` chose, as a pure state machine
/// over the decoded bytes of `<auth>`, `<challenge>`, `<response>` and `<success>`.
///
/// The negotiation code does the XML and base64 around it:
/// ```
/// var auth = try SASLAuthenticator(mechanism: m, username: jid.localpart, password: pw)
/// send <auth mechanism=m.name> base64(auth.initialResponse), or "=" when it is empty
/// on <challenge>: send <response> base64(try auth.respond(toChallenge: decoded))
/// on <success>:   try auth.verifySuccess(additionalData: decoded)  (empty when absent or "=")
/// on <failure>:   throw SASLError.failure(SASLFailureCondition(name: child), text: text)
/// ```
/// Undecodable base64 in a challenge or success is the caller's to report, e.g. as
/// `.malformedServerMessage("challenge is not valid base64")`.
package struct SASLAuthenticator: Sendable {
    package let mechanism: SASLMechanism
    /// The bytes for `<auth>`. Empty for EXTERNAL without an authorization identity, which XMPP
    /// sends as `=` (a present but empty initial response, RFC 6120 §6.4.2).
    package let initialResponse: [UInt8]
    private var scram: SCRAMClient?

    /// Prepares the exchange. `username` is the JID localpart (the authentication identity);
    /// `password` is required by every mechanism but EXTERNAL; `authorizationIdentity` is sent
    /// with EXTERNAL only when given (XEP-0178: leave it out when the certificate holds one
    /// JID). `clientNonce` is for tests; SCRAM draws a random one otherwise.
    package init(
        mechanism: SASLMechanism, username: String, password: String?, authorizationIdentity: String? = nil,
        clientNonce: String? = nil
    ) throws(SASLError) {
        self.mechanism = mechanism
        switch mechanism {
        case .external:
            initialResponse = Array((authorizationIdentity ?? "").utf8)
        case .plain:
            initialResponse = try Self.plainMessage(username: username, password: try Self.require(password))
        case .scramSHA256, .scramSHA1:
            let digest: Digest = mechanism == .scramSHA256 ? .sha256 : .sha1
            let password = try Self.require(password)
            let client =
                if let clientNonce {
                    try SCRAMClient(digest: digest, username: username, password: password, clientNonce: clientNonce)
                } else {
                    try SCRAMClient(digest: digest, username: username, password: password)
                }
            scram = client
            initialResponse = client.clientFirstMessage
        }
    }

    /// The `<response>` to a `<challenge>`.
    package mutating func respond(toChallenge challenge: [UInt8]) throws(SASLError) -> [UInt8] {
        guard var client = scram else {
            // PLAIN and EXTERNAL send everything up front. A server that ignored the initial
            // response asks again with an empty challenge (RFC 6120 §6.4.2): repeat it.
            guard challenge.isEmpty else { throw .unexpectedChallenge }
            return initialResponse
        }
        defer { scram = client }
        if client.isAwaitingServerFirst {
            return try client.clientFinalMessage(serverFirst: challenge)
        }
        // Servers that cannot put data in <success> send v= as a last challenge and expect
        // an empty response (RFC 6120 §6.3.10).
        try client.verifyServerFinal(challenge)
        return []
    }

    /// Accepts `<success>` only if the mechanism is satisfied: for SCRAM, the server must have
    /// proven it knows the password, in this data or in an earlier challenge.
    package mutating func verifySuccess(additionalData: [UInt8]) throws(SASLError) {
        guard var client = scram else { return }
        defer { scram = client }
        if additionalData.isEmpty {
            guard client.isVerified else { throw .serverSignatureMissing }
            return
        }
        try client.verifyServerFinal(additionalData)
    }

    /// RFC 4616: `authzid NUL authcid NUL passwd`, with an empty authzid (XMPP derives it).
    static func plainMessage(username: String, password: String) throws(SASLError) -> [UInt8] {
        let user = try SASLprep.prepare(username, field: "user name")
        let pass = try SASLprep.prepare(password, field: "password")
        guard !user.isEmpty else { throw .unusableCredentials("the user name is empty") }
        guard !pass.isEmpty else { throw .unusableCredentials("the password is empty") }
        return [0] + Array(user.utf8) + [0] + Array(pass.utf8)
    }

    private static func require(_ password: String?) throws(SASLError) -> String {
        guard let password else { throw .unusableCredentials("no password is configured") }
        return password
    }
}

/// The PLAIN initial response holds the password: never print or dump it.
extension SASLAuthenticator: CustomStringConvertible, CustomReflectable {
    package var description: String {
        scram.map(\.description) ?? "\(mechanism.name) exchange"
    }

    package var customMirror: Mirror { Mirror(self, children: [:]) }
}
