import Testing
@testable import XMPPCore

struct SASLMechanismTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let offered: [String]
        let tls: Bool
        let certificate: Bool
        let password: Bool
        let expected: SASLMechanism?
        let reason: String?
        var testDescription: String { "\(offered) tls=\(tls) cert=\(certificate) pw=\(password)" }

        init(_ offered: [String], tls: Bool = true, certificate: Bool = false, password: Bool = true,
             _ expected: SASLMechanism?, reason: String? = nil) {
            (self.offered, self.tls, self.certificate, self.password) = (offered, tls, certificate, password)
            (self.expected, self.reason) = (expected, reason)
        }
    }

    static let prosody = ["SCRAM-SHA-1", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS", "PLAIN"]

    @Test(arguments: [
        Case(prosody, .scramSHA256),
        Case(["PLAIN", "SCRAM-SHA-1"], .scramSHA1),
        Case(["SCRAM-SHA-256-PLUS", "SCRAM-SHA-1-PLUS", "PLAIN"], .plain),
        Case(["PLAIN"], .plain),
        Case(["PLAIN", "SCRAM-SHA-1"], tls: false, .scramSHA1),
        Case(["EXTERNAL"] + prosody, certificate: true, .external),
        Case(prosody, certificate: true, .scramSHA256),
        Case(["EXTERNAL", "PLAIN"], tls: false, certificate: true, .none,
             reason: "PLAIN would send the password unencrypted and the stream has no TLS (offered: EXTERNAL, PLAIN)"),
        Case(["EXTERNAL"], certificate: true, password: false, .external),
        Case([" scram-sha-256\n"], .scramSHA256),
        Case(["PLAIN"], tls: false, .none,
             reason: "PLAIN would send the password unencrypted and the stream has no TLS (offered: PLAIN)"),
        Case(["DIGEST-MD5", "SCRAM-SHA-256-PLUS"], .none,
             reason: "the server offers DIGEST-MD5, SCRAM-SHA-256-PLUS; Kinglet speaks SCRAM-SHA-256, SCRAM-SHA-1, PLAIN over TLS"),
        Case([], .none, reason: "the server offers nothing; Kinglet speaks SCRAM-SHA-256, SCRAM-SHA-1, PLAIN over TLS"),
        Case(prosody, certificate: true, password: false, .none,
             reason: "a client certificate is configured but the server does not offer EXTERNAL (offered: \(prosody.joined(separator: ", ")))"),
        Case(["EXTERNAL"], tls: false, certificate: true, password: false, .none,
             reason: "a client certificate needs TLS, and the stream has none"),
        Case(prosody, password: false, .none, reason: "no password and no client certificate are configured"),
    ])
    func selection(_ test: Case) {
        do {
            let chosen = try SASLMechanism.select(
                offered: test.offered, tlsActive: test.tls, hasClientCertificate: test.certificate,
                hasPassword: test.password)
            #expect(chosen == test.expected)
        } catch {
            #expect(test.expected == nil)
            #expect(error == .noAcceptableMechanism(reason: test.reason ?? ""))
        }
    }

    @Test func namesAreTheWireNames() {
        #expect(SASLMechanism.allCases.map(\.name) == ["EXTERNAL", "SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"])
    }
}
