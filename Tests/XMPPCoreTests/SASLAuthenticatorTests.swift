import Support
import Testing
@testable import XMPPCore

struct SASLAuthenticatorTests {
    @Test(arguments: scramVectors)
    func scramWithTheSignatureInSuccess(vector: SCRAMVector) throws {
        let mechanism: SASLMechanism = vector.digest == .sha256 ? .scramSHA256 : .scramSHA1
        var auth = try SASLAuthenticator(
            mechanism: mechanism, username: "user", password: "pencil", clientNonce: vector.clientNonce)
        #expect(auth.initialResponse == bytes(vector.clientFirst))
        #expect(try auth.respond(toChallenge: bytes(vector.serverFirst)) == bytes(vector.clientFinal))
        try auth.verifySuccess(additionalData: bytes(vector.serverFinal))
    }

    @Test func scramWithTheSignatureInALastChallenge() throws {
        let vector = scramVectors[1]
        var auth = try SASLAuthenticator(
            mechanism: .scramSHA256, username: "user", password: "pencil", clientNonce: vector.clientNonce)
        _ = try auth.respond(toChallenge: bytes(vector.serverFirst))
        #expect(try auth.respond(toChallenge: bytes(vector.serverFinal)) == [])
        try auth.verifySuccess(additionalData: [])
    }

    @Test func scramSuccessWithoutProofIsRefused() throws {
        let vector = scramVectors[0]
        var auth = try SASLAuthenticator(
            mechanism: .scramSHA1, username: "user", password: "pencil", clientNonce: vector.clientNonce)
        _ = try auth.respond(toChallenge: bytes(vector.serverFirst))
        #expect(throws: SASLError.serverSignatureMissing) { try auth.verifySuccess(additionalData: []) }
    }

    @Test func scramSuccessBeforeAnyChallengeIsRefused() throws {
        var auth = try SASLAuthenticator(mechanism: .scramSHA256, username: "user", password: "pencil")
        #expect(throws: SASLError.serverSignatureMissing) { try auth.verifySuccess(additionalData: []) }
    }

    @Test func plainMatchesTheRFC6120Example() throws {
        var auth = try SASLAuthenticator(mechanism: .plain, username: "juliet", password: "r0m30myr0m30")
        #expect(auth.initialResponse == [0] + bytes("juliet") + [0] + bytes("r0m30myr0m30"))
        #expect(Base64.encode(auth.initialResponse) == "AGp1bGlldAByMG0zMG15cjBtMzA=")
        #expect(try auth.respond(toChallenge: []) == auth.initialResponse)
        #expect(throws: SASLError.unexpectedChallenge) { _ = try auth.respond(toChallenge: bytes("more?")) }
        try auth.verifySuccess(additionalData: [])
    }

    @Test func externalSendsAnEmptyResponseOrTheAuthzid() throws {
        let plain = try SASLAuthenticator(mechanism: .external, username: "sensor-7", password: nil)
        #expect(plain.initialResponse.isEmpty)
        let withAuthzid = try SASLAuthenticator(
            mechanism: .external, username: "sensor-7", password: nil, authorizationIdentity: "sensor-7@example.org")
        #expect(withAuthzid.initialResponse == bytes("sensor-7@example.org"))
    }

    @Test(arguments: [SASLMechanism.plain, .scramSHA1, .scramSHA256])
    func passwordMechanismsNeedAPassword(mechanism: SASLMechanism) {
        #expect(throws: SASLError.unusableCredentials("no password is configured")) {
            try SASLAuthenticator(mechanism: mechanism, username: "user", password: nil)
        }
    }

    @Test(arguments: [SASLMechanism.plain, .scramSHA1, .scramSHA256])
    func printingAnExchangeRevealsNoSecret(mechanism: SASLMechanism) throws {
        func renderings(_ auth: SASLAuthenticator) -> [String] {
            var dumped = ""
            dump(auth, to: &dumped)
            return [String(describing: auth), String(reflecting: auth), "\(auth)", dumped]
        }
        var auth = try SASLAuthenticator(mechanism: mechanism, username: "user", password: "pencil")
        var texts = renderings(auth)
        if mechanism != .plain {
            let nonce = String(decoding: auth.initialResponse.dropFirst("n,,n=user,r=".count), as: UTF8.self)
            _ = try auth.respond(toChallenge: bytes("r=\(nonce)server,s=QSXCR+Q6sek8bf92,i=4096"))
            texts += renderings(auth)
        }
        for text in texts {
            #expect(!text.contains("pencil"))
            #expect(!text.contains("cGVuY2ls"))  // base64 of it
            // dump() would list the PLAIN response and SCRAM's state byte by byte.
            #expect(!text.contains("initialResponse") && !text.contains("state"))
            #expect(text.contains(mechanism.name))
        }
    }

    @Test func failureConditionsRoundTrip() {
        let names = [
            "aborted", "account-disabled", "credentials-expired", "encryption-required", "incorrect-encoding",
            "invalid-authzid", "invalid-mechanism", "malformed-request", "mechanism-too-weak", "not-authorized",
            "temporary-auth-failure",
        ]
        for name in names {
            let condition = SASLFailureCondition(name: name)
            #expect(condition.name == name)
            #expect(condition != .other(name))
        }
        #expect(SASLFailureCondition(name: "bad-protocol") == .other("bad-protocol"))
        #expect(SASLFailureCondition(name: "not-authorized") == .notAuthorized)
    }

    @Test func permanenceGuidesReconnects() {
        #expect(SASLError.failure(.notAuthorized, text: nil).isPermanent)
        #expect(SASLError.failure(.accountDisabled, text: nil).isPermanent)
        #expect(!SASLError.failure(.temporaryAuthFailure, text: nil).isPermanent)
        #expect(SASLError.serverSignatureMismatch.isPermanent)
        #expect(!SASLError.serverError("no-resources").isPermanent)
    }

    @Test func descriptionsAreReadableAndSanitised() {
        let failure = SASLError.failure(.notAuthorized, text: "Bad\u{7}\npassword")
        #expect(failure.description == "SASL failure not-authorized: wrong user name or password (server says: Badpassword)")
        #expect(SASLError.iterationCountOutOfRange(count: 10, allowed: 4096...1_000_000).description
            == "SCRAM iteration count 10 is outside 4096...1000000")
    }

    /// Every error an exchange with the password `pencil` can produce leaves it out, and the
    /// proof and signatures too.
    @Test func noErrorDescriptionContainsASecret() throws {
        let vector = scramVectors[1]
        var errors: [SASLError] = []
        func attempt(_ serverFirst: String, _ serverFinal: String) {
            do {
                var auth = try SASLAuthenticator(
                    mechanism: .scramSHA256, username: "user", password: "pencil", clientNonce: vector.clientNonce)
                _ = try auth.respond(toChallenge: bytes(serverFirst))
                try auth.verifySuccess(additionalData: bytes(serverFinal))
            } catch {
                errors.append(error)
            }
        }
        attempt(vector.serverFirst, "v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
        attempt(vector.serverFirst, "e=invalid-proof")
        attempt("r=xyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "")
        attempt(vector.serverFirst.replacingOccurrences("i=4096", "i=1"), "")
        #expect(errors.count == 4)
        let proof = String(vector.clientFinal.split(separator: "p=").last!)
        for error in errors {
            #expect(!error.description.contains("pencil"))
            #expect(!error.description.contains(proof))
            #expect(!error.description.contains("6rriTRBi23WpRR"))
        }
    }
}

extension String {
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
