package import Crypto
import Support

/// The client side of SCRAM-SHA-1 / SCRAM-SHA-256 (RFC 5802, RFC 7677) as a pure state
/// machine over message bytes: no XML, no base64 of the outer SASL layer, no I/O.
///
/// 1. `clientFirstMessage` goes in `<auth>`.
/// 2. `clientFinalMessage(serverFirst:)` answers the first `<challenge>`.
/// 3. `verifyServerFinal(_:)` checks `v=` from `<success>` (or from a last `<challenge>`).
///
/// The password is kept only until the server-first message arrives; afterwards only the
/// expected server signature remains.
package struct SCRAMClient: Sendable {
    /// The gs2 header: `n` = "this client does not support channel binding". We must not send
    /// `y` ("I support it but think you don't"), even when the server offers -PLUS: a server
    /// that does offer channel binding treats `y` as a downgrade attack and fails the
    /// exchange. Channel binding (tls-exporter, RFC 9266) needs exporter support that this
    /// TLS layer does not provide, so `n,,` is the honest header.
    static let gs2Header = "n,,"

    /// The default bounds for the server's iteration count. Below 4096 is what RFC 7677 calls
    /// too weak (RFC 5802 §5.1 also says at least 4096). Above a million, PBKDF2 alone would take
    /// seconds of CPU on a Raspberry Pi class board at every login: a hostile or misconfigured
    /// server must not be able to stall the device that way.
    package static let defaultIterationBounds = 4096...1_000_000

    private enum State: Sendable {
        case awaitingServerFirst(password: String)
        case awaitingServerFinal(expectedSignature: [UInt8])
        case verified
        case failed
    }

    package let digest: Digest
    private let clientNonce: String
    private let clientFirstBare: String
    private let iterationBounds: ClosedRange<Int>
    private var state: State

    /// The SCRAM mechanism name for this digest: `SCRAM-SHA-1` or `SCRAM-SHA-256`.
    package var mechanismName: String { "SCRAM-" + digest.name }

    /// True once the server has proven it knows the password.
    package var isVerified: Bool {
        if case .verified = state { return true }
        return false
    }

    /// True until the server-first message has been answered.
    package var isAwaitingServerFirst: Bool {
        if case .awaitingServerFirst = state { return true }
        return false
    }

    /// Prepares the exchange with a random 24-byte client nonce.
    package init(
        digest: Digest, username: String, password: String,
        iterationBounds: ClosedRange<Int> = SCRAMClient.defaultIterationBounds
    ) throws(SASLError) {
        try self.init(
            digest: digest, username: username, password: password,
            clientNonce: Base64.encode(SecureRandom.bytes(24)), iterationBounds: iterationBounds)
    }

    /// Prepares the exchange with a given client nonce (tests use the RFC vectors' nonces).
    /// The nonce must be printable ASCII without `,`.
    package init(
        digest: Digest, username: String, password: String, clientNonce: String,
        iterationBounds: ClosedRange<Int> = SCRAMClient.defaultIterationBounds
    ) throws(SASLError) {
        precondition(
            !clientNonce.isEmpty && clientNonce.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != 0x2C },
            "a SCRAM nonce is printable ASCII without commas")
        let user = try SASLprep.prepare(username, field: "user name")
        let pass = try SASLprep.prepare(password, field: "password")
        guard !user.isEmpty else { throw .unusableCredentials("the user name is empty") }
        guard !pass.isEmpty else { throw .unusableCredentials("the password is empty") }
        self.digest = digest
        self.clientNonce = clientNonce
        self.iterationBounds = iterationBounds
        clientFirstBare = "n=" + Self.escape(user) + ",r=" + clientNonce
        state = .awaitingServerFirst(password: pass)
    }

    /// `n,,n=user,r=nonce`: the initial response for `<auth>`.
    package var clientFirstMessage: [UInt8] {
        Array((Self.gs2Header + clientFirstBare).utf8)
    }

    /// Answers the server-first message (`r=…,s=…,i=…`) with the client-final message
    /// (`c=biws,r=…,p=proof`).
    package mutating func clientFinalMessage(serverFirst: [UInt8]) throws(SASLError) -> [UInt8] {
        guard case .awaitingServerFirst(let password) = state else { throw .unexpectedChallenge }
        state = .failed
        guard let text = String(validating: serverFirst, as: UTF8.self) else {
            throw .malformedServerMessage("server-first message is not UTF-8")
        }
        let first = try ServerFirst(text, clientNonce: clientNonce)
        guard iterationBounds.contains(first.iterations) else {
            throw .iterationCountOutOfRange(count: first.iterations, allowed: iterationBounds)
        }
        let withoutProof = "c=" + Base64.encode(Self.gs2Header.utf8) + ",r=" + first.nonce
        let authMessage = Array((clientFirstBare + "," + text + "," + withoutProof).utf8)

        let salted = digest.pbkdf2(
            password: password.utf8, salt: first.salt, iterations: first.iterations, byteCount: digest.byteCount)
        let clientKey = digest.hmac(key: salted, "Client Key".utf8)
        let storedKey = digest.hash(clientKey)
        let clientSignature = digest.hmac(key: storedKey, authMessage)
        let proof = zip(clientKey, clientSignature).map { $0 ^ $1 }
        let serverKey = digest.hmac(key: salted, "Server Key".utf8)
        state = .awaitingServerFinal(expectedSignature: digest.hmac(key: serverKey, authMessage))
        return Array((withoutProof + ",p=" + Base64.encode(proof)).utf8)
    }

    /// Checks the server-final message (`v=signature`, or `e=error`). Throws unless the server
    /// proved it knows the password.
    package mutating func verifyServerFinal(_ message: [UInt8]) throws(SASLError) {
        let expected: [UInt8]
        switch state {
        case .awaitingServerFinal(let signature): expected = signature
        case .verified: return
        case .awaitingServerFirst, .failed: throw .unexpectedChallenge
        }
        state = .failed
        guard let text = String(validating: message, as: UTF8.self) else {
            throw .malformedServerMessage("server-final message is not UTF-8")
        }
        let first = text.split(separator: ",", omittingEmptySubsequences: false)[0]
        if first.hasPrefix("e=") {
            throw .serverError(String(first.dropFirst(2)))
        }
        guard first.hasPrefix("v=") else {
            throw .malformedServerMessage("server-final message has neither v= nor e=")
        }
        guard let signature = Base64.decode(String(first.dropFirst(2))) else {
            throw .malformedServerMessage("server signature is not valid base64")
        }
        guard ConstantTime.equals(signature, expected) else { throw .serverSignatureMismatch }
        state = .verified
    }

    /// RFC 5802 §5.1 saslname: `=` becomes `=3D` and `,` becomes `=2C` (in that order, so
    /// the `=` of `=2C` is not escaped again).
    static func escape(_ name: String) -> String {
        var out = ""
        for character in name.unicodeScalars {
            switch character {
            case "=": out += "=3D"
            case ",": out += "=2C"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }
}

/// The parsed server-first message: `[m=…,]r=nonce,s=salt,i=count[,extensions]`.
private struct ServerFirst {
    let nonce: String
    let salt: [UInt8]
    let iterations: Int

    init(_ text: String, clientNonce: String) throws(SASLError) {
        let fields = text.split(separator: ",", omittingEmptySubsequences: false)
        if fields[0].hasPrefix("m=") { throw .unsupportedExtension }
        if fields[0].hasPrefix("e=") { throw .serverError(String(fields[0].dropFirst(2))) }
        guard fields.count >= 3, fields[0].hasPrefix("r="), fields[1].hasPrefix("s="), fields[2].hasPrefix("i=") else {
            throw .malformedServerMessage("server-first message is not r=…,s=…,i=…")
        }
        let nonce = fields[0].dropFirst(2)
        guard nonce.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .malformedServerMessage("nonce contains characters outside printable ASCII")
        }
        // The server appends its own part: equal to ours alone would mean it added nothing.
        guard nonce.hasPrefix(clientNonce), nonce.utf8.count > clientNonce.utf8.count else { throw .nonceMismatch }
        guard let salt = Base64.decode(String(fields[1].dropFirst(2))), !salt.isEmpty else {
            throw .malformedServerMessage("salt is not valid base64")
        }
        let digits = fields[2].dropFirst(2)
        guard !digits.isEmpty, digits.count <= 10, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let iterations = Int(digits)
        else {
            throw .malformedServerMessage("iteration count is not a positive decimal number")
        }
        for field in fields.dropFirst(3) where field.utf8.count < 2 || field.utf8.dropFirst().first != 0x3D {
            throw .malformedServerMessage("extension attribute is not of the form x=value")
        }
        self.nonce = String(nonce)
        self.salt = salt
        self.iterations = iterations
    }
}

/// Printing or dumping a client must not reveal the password or the expected signature that
/// it holds, whatever a log line interpolates.
extension SCRAMClient: CustomStringConvertible, CustomReflectable {
    package var description: String {
        let stage: String
        switch state {
        case .awaitingServerFirst: stage = "awaiting server-first"
        case .awaitingServerFinal: stage = "awaiting server-final"
        case .verified: stage = "verified"
        case .failed: stage = "failed"
        }
        return "\(mechanismName) client (\(stage))"
    }

    package var customMirror: Mirror { Mirror(self, children: [:]) }
}
