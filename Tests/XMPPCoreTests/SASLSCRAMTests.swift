import Crypto
import Testing
@testable import XMPPCore

/// One SCRAM exchange from a published vector: user `user`, password `pencil`.
struct SCRAMVector: Sendable, CustomTestStringConvertible {
    let digest: Digest
    let clientNonce: String
    let clientFirst: String
    let serverFirst: String
    let clientFinal: String
    let serverFinal: String
    var testDescription: String { "SCRAM-\(digest.name)" }
}

let scramVectors = [
    // RFC 5802 §5
    SCRAMVector(
        digest: .sha1, clientNonce: "fyko+d2lbbFgONRv9qkxdawL",
        clientFirst: "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
        serverFirst: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
        clientFinal: "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
        serverFinal: "v=rmF9pqV8S7suAoZWja4dJRkFsKQ="),
    // RFC 7677 §3
    SCRAMVector(
        digest: .sha256, clientNonce: "rOprNGfwEbeRWgbNEkqO",
        clientFirst: "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
        serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        clientFinal: "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
        serverFinal: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="),
]

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

struct SASLSCRAMTests {
    func client(_ vector: SCRAMVector, bounds: ClosedRange<Int> = SCRAMClient.defaultIterationBounds) throws -> SCRAMClient {
        try SCRAMClient(
            digest: vector.digest, username: "user", password: "pencil", clientNonce: vector.clientNonce,
            iterationBounds: bounds)
    }

    @Test(arguments: scramVectors)
    func publishedExchange(vector: SCRAMVector) throws {
        var scram = try client(vector)
        #expect(scram.clientFirstMessage == bytes(vector.clientFirst))
        #expect(try scram.clientFinalMessage(serverFirst: bytes(vector.serverFirst)) == bytes(vector.clientFinal))
        #expect(!scram.isVerified)
        try scram.verifyServerFinal(bytes(vector.serverFinal))
        #expect(scram.isVerified)
    }

    @Test(arguments: scramVectors)
    func wrongServerSignatureIsRejected(vector: SCRAMVector) throws {
        var scram = try client(vector)
        _ = try scram.clientFinalMessage(serverFirst: bytes(vector.serverFirst))
        var forged = Array(vector.serverFinal.utf8)
        forged[4] = forged[4] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: SASLError.serverSignatureMismatch) { try scram.verifyServerFinal(forged) }
        #expect(!scram.isVerified)
        // A failed exchange stays failed, even if the right signature arrives afterwards.
        #expect(throws: SASLError.unexpectedChallenge) { try scram.verifyServerFinal(bytes(vector.serverFinal)) }
    }

    @Test(arguments: [
        ("r=someoneelse3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096", SASLError.nonceMismatch),
        ("r=fyko+d2lbbFgONRv9qkxdawL,s=QSXCR+Q6sek8bf92,i=4096", .nonceMismatch),
        ("m=ext,r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf92,i=4096", .unsupportedExtension),
        ("e=unknown-user", .serverError("unknown-user")),
        ("r=fyko+d2lbbFgONRv9qkxdawL3rfc,i=4096,s=QSXCR+Q6sek8bf92", .malformedServerMessage("server-first message is not r=…,s=…,i=…")),
        ("r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf92", .malformedServerMessage("server-first message is not r=…,s=…,i=…")),
        ("", .malformedServerMessage("server-first message is not r=…,s=…,i=…")),
        ("r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf9,i=4096", .malformedServerMessage("salt is not valid base64")),
        ("r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=,i=4096", .malformedServerMessage("salt is not valid base64")),
        ("r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf92,i=-1", .malformedServerMessage("iteration count is not a positive decimal number")),
        ("r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf92,i=4k", .malformedServerMessage("iteration count is not a positive decimal number")),
        ("r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf92,i=99999999999", .malformedServerMessage("iteration count is not a positive decimal number")),
        ("r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf92,i=4096,junk", .malformedServerMessage("extension attribute is not of the form x=value")),
        ("r=fyko+d2lbbFgONRv9qkxdawL3r c,s=QSXCR+Q6sek8bf92,i=4096", .malformedServerMessage("nonce contains characters outside printable ASCII")),
        ("r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf92,i=1024", .iterationCountOutOfRange(count: 1024, allowed: 4096...1_000_000)),
        ("r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf92,i=0", .iterationCountOutOfRange(count: 0, allowed: 4096...1_000_000)),
        ("r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf92,i=2000000000", .iterationCountOutOfRange(count: 2_000_000_000, allowed: 4096...1_000_000)),
    ])
    func badServerFirstIsRejected(serverFirst: String, expected: SASLError) throws {
        var scram = try client(scramVectors[0])
        #expect(throws: expected) { _ = try scram.clientFinalMessage(serverFirst: bytes(serverFirst)) }
    }

    @Test func serverFirstThatIsNotUTF8IsRejected() throws {
        var scram = try client(scramVectors[0])
        #expect(throws: SASLError.malformedServerMessage("server-first message is not UTF-8")) {
            _ = try scram.clientFinalMessage(serverFirst: [0x72, 0x3D, 0xFF, 0xFE])
        }
    }

    @Test func extensionsAfterTheIterationCountAreIgnored() throws {
        var scram = try client(scramVectors[0])
        let first = scramVectors[0].serverFirst + ",x=future"
        let final = try scram.clientFinalMessage(serverFirst: bytes(first))
        #expect(final.starts(with: bytes("c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=")))
    }

    @Test(arguments: [
        ("e=invalid-proof", SASLError.serverError("invalid-proof")),
        ("v=not base64!", .malformedServerMessage("server signature is not valid base64")),
        ("x=whatever", .malformedServerMessage("server-final message has neither v= nor e=")),
        ("", .malformedServerMessage("server-final message has neither v= nor e=")),
    ])
    func badServerFinalIsRejected(serverFinal: String, expected: SASLError) throws {
        var scram = try client(scramVectors[0])
        _ = try scram.clientFinalMessage(serverFirst: bytes(scramVectors[0].serverFirst))
        #expect(throws: expected) { try scram.verifyServerFinal(bytes(serverFinal)) }
        #expect(!scram.isVerified)
    }

    @Test func messagesOutOfOrderAreRejected() throws {
        var scram = try client(scramVectors[0])
        #expect(throws: SASLError.unexpectedChallenge) { try scram.verifyServerFinal(bytes(scramVectors[0].serverFinal)) }
        var again = try client(scramVectors[0])
        _ = try again.clientFinalMessage(serverFirst: bytes(scramVectors[0].serverFirst))
        #expect(throws: SASLError.unexpectedChallenge) {
            _ = try again.clientFinalMessage(serverFirst: bytes(scramVectors[0].serverFirst))
        }
    }

    @Test func iterationBoundsAreConfigurable() throws {
        var scram = try client(scramVectors[0], bounds: 8192...10_000)
        #expect(throws: SASLError.iterationCountOutOfRange(count: 4096, allowed: 8192...10_000)) {
            _ = try scram.clientFinalMessage(serverFirst: bytes(scramVectors[0].serverFirst))
        }
    }

    @Test(arguments: [("user", "user"), ("a=b,c", "a=3Db=2Cc"), ("=2C", "=3D2C"), (",,", "=2C=2C")])
    func userNamesAreEscaped(name: String, escaped: String) throws {
        let scram = try SCRAMClient(digest: .sha1, username: name, password: "pencil", clientNonce: "abc")
        #expect(scram.clientFirstMessage == bytes("n,,n=\(escaped),r=abc"))
    }

    @Test func randomNoncesDiffer() throws {
        let a = try SCRAMClient(digest: .sha256, username: "user", password: "pencil")
        let b = try SCRAMClient(digest: .sha256, username: "user", password: "pencil")
        #expect(a.clientFirstMessage != b.clientFirstMessage)
        #expect(a.clientFirstMessage.count == "n,,n=user,r=".count + 32)
        #expect(a.mechanismName == "SCRAM-SHA-256")
    }

    @Test func emptyCredentialsAreRefused() {
        #expect(throws: SASLError.unusableCredentials("the password is empty")) {
            try SCRAMClient(digest: .sha1, username: "user", password: "", clientNonce: "abc")
        }
        #expect(throws: SASLError.unusableCredentials("the user name is empty")) {
            try SCRAMClient(digest: .sha1, username: "", password: "pencil", clientNonce: "abc")
        }
    }
}
