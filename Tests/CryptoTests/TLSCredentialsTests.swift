import Crypto
import Foundation
import Testing

struct TLSCredentialsTests {
    @Test func loadsACAFile() throws {
        let fixture = try TLSFixture.shared.get()
        let credentials = try fixture.credentials(client: true)
        #expect(credentials.trustedCertificateCount == 1)
        #expect(credentials.skippedCertificateCount == 0)
        #expect(credentials.trustSource == fixture.caFile)
    }

    @Test(.enabled(if: FileManager.default.isReadableFile(atPath: "/etc/ssl/certs/ca-certificates.crt")))
    func loadsTheSystemBundle() throws {
        let credentials = try TLSCredentials(TLSConfiguration(serverName: "example.org"))
        #expect(credentials.trustSource == "/etc/ssl/certs/ca-certificates.crt")
        #expect(credentials.trustedCertificateCount > 50)
    }

    @Test func aMissingCAFileSaysWhy() {
        let error = #expect(throws: TLSError.self) {
            try TLSCredentials(TLSConfiguration(serverName: "example.org", trust: .caFile("/nonexistent/ca.pem")))
        }
        #expect(error?.kind == .configuration)
        #expect(error?.description == "load CA file /nonexistent/ca.pem: No such file or directory")
    }

    @Test func aFileWithoutCertificatesIsRejected() throws {
        let fixture = try TLSFixture.shared.get()
        let error = #expect(throws: TLSError.self) {
            try TLSCredentials(TLSConfiguration(serverName: "example.org", trust: .caFile(fixture.directory + "/x509.cnf")))
        }
        #expect(error?.kind == .configuration)
        #expect(error?.message.hasPrefix("no certificate could be parsed") == true)
    }

    @Test func aClientKeyThatDoesNotMatchTheCertificateIsRejected() throws {
        let fixture = try TLSFixture.shared.get()
        let mismatched = TLSClientCertificate(certificateFile: fixture.clientCertificate, keyFile: fixture.serverKey)
        let error = #expect(throws: TLSError.self) {
            try TLSCredentials(TLSConfiguration(serverName: "kinglet.test", trust: .caFile(fixture.caFile), clientCertificate: mismatched))
        }
        #expect(error?.kind == .configuration)
        #expect(error?.message == "the key does not belong to the certificate in \(fixture.clientCertificate)")
    }

    @Test(arguments: [
        ("sha256/AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", true),
        ("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", true),
        ("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", true),
        ("00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:16:17:18:19:1A:1B:1C:1D:1E:1F", true),
        ("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==", false),  // 31 bytes
        ("not a pin", false),
    ])
    func parsesPins(text: String, valid: Bool) {
        let expected = valid ? (0..<32).map { UInt8($0) } : nil
        #expect(TLSConfiguration.parsePin(text) == expected)
    }

    @Test func errorDescriptionsCarryTheCode() {
        let error = TLSError(.handshake, operation: "TLS handshake with example.org", code: -0x7780, message: "alert")
        #expect(error.description == "TLS handshake with example.org: alert (mbedTLS -0x7780)")
    }
}
