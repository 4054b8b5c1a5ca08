import Crypto
import Foundation
import Support
import Glibc
import Testing

/// One client connection to a `TestServer`, driven the way the transport's I/O thread does it:
/// call, and on want-read/want-write poll the socket, then call again.
final class TestClient {
    let fd: Int32
    let session: TLSSession
    let deadline = Deadline()

    init(_ server: TestServer, _ credentials: TLSCredentials, alpn: [String] = []) throws {
        fd = try server.connectSocket()
        do {
            session = try TLSSession(credentials: credentials, fd: fd, alpn: alpn)
        } catch {
            close(fd)
            throw error
        }
    }

    deinit {
        session.closeNotify()
        close(fd)
    }

    func handshake() throws {
        while true {
            switch try session.handshake() {
            case .complete: return
            case .wantRead: try waitFor(fd, POLLIN, deadline: deadline, "handshake")
            case .wantWrite: try waitFor(fd, POLLOUT, deadline: deadline, "handshake")
            }
        }
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let result = try bytes[offset...].withUnsafeBytes { try session.write($0) }
            switch result {
            case .bytes(let n): offset += n
            case .wantRead: try waitFor(fd, POLLIN, deadline: deadline, "write")
            case .wantWrite: try waitFor(fd, POLLOUT, deadline: deadline, "write")
            case .closed: throw FixtureError("closed while writing")
            }
        }
    }

    /// Reads until a newline arrives.
    func receiveLine() throws -> String {
        var received = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 64)
        while !received.contains(UInt8(ascii: "\n")) {
            switch try buffer.withUnsafeMutableBytes({ try session.read(into: $0) }) {
            case .bytes(let n): received += buffer[0..<n]
            case .wantRead: try waitFor(fd, POLLIN, deadline: deadline, "reply")
            case .wantWrite: try waitFor(fd, POLLOUT, deadline: deadline, "reply")
            case .closed: throw FixtureError("closed while reading")
            }
        }
        return String(decoding: received, as: UTF8.self)
    }
}

/// Expects the handshake to fail and returns the TLS error.
func handshakeFailure(_ client: TestClient) throws -> TLSError {
    do {
        try client.handshake()
    } catch let error as TLSError {
        return error
    }
    throw FixtureError("the handshake succeeded but should have failed")
}

@Suite struct TLSSessionTests {
    @Test func handshakeWithTheRightCAThenExchangeBytes() throws {
        let fixture = try TLSFixture.shared.get()
        let server = try TestServer(fixture)
        let client = try TestClient(server, fixture.credentials())
        try client.handshake()
        #expect(client.session.summary.hasPrefix("TLSv1.2 TLS-ECDHE-ECDSA-WITH-"))
        #expect(client.session.negotiatedALPN == nil)
        try client.send("hello kinglet\n")
        #expect(try client.receiveLine() == "telgnik olleh\n")
        #expect(client.session.bufferedReadableBytes == 0)
        #expect(client.session.peerPublicKeySHA256 == fixture.serverPin)
        // The verified chain, server first, for `kinglet doctor`: names, issuer, expiry (2 days).
        let established = client.session.established
        #expect(established.line == client.session.summary)
        #expect(established.chain.map(\.subject) == ["CN=kinglet.test", "CN=Kinglet Test CA"])
        #expect(established.chain.first?.issuer == "CN=Kinglet Test CA")
        #expect(established.chain.first?.dnsNames.contains("kinglet.test") == true)
        let left = (established.chain.first?.notAfter.millisecondsSinceEpoch ?? 0) - Timestamp.now().millisecondsSinceEpoch
        #expect(left > 86_400_000 && left <= 2 * 86_400_000, "\(left) ms left")
    }

    @Test func refusedWithAnotherCA() throws {
        let fixture = try TLSFixture.shared.get()
        let server = try TestServer(fixture)
        let client = try TestClient(server, fixture.credentials(ca: fixture.otherCAFile))
        let error = try handshakeFailure(client)
        #expect(error.kind == .certificate)
        #expect(error.message == "certificate not trusted: the issuer 'CN=Kinglet Test CA' is not a known CA (trusted CAs: \(fixture.otherCAFile))")
        #expect(error.description.hasPrefix("TLS handshake with kinglet.test: certificate not trusted"))
        // The session stays dead: no later call can slip past the failed verification.
        #expect(throws: TLSError.self) { _ = try client.session.handshake() }
        #expect(throws: TLSError.self) { try client.send("x") }
    }

    @Test func refusedWithAnotherServerName() throws {
        let fixture = try TLSFixture.shared.get()
        let server = try TestServer(fixture)
        let client = try TestClient(server, fixture.credentials(serverName: "example.org"))
        let error = try handshakeFailure(client)
        #expect(error.kind == .certificate)
        #expect(error.message == "host name mismatch: certificate does not match 'example.org' (it is for kinglet.test)")
    }

    @Test func refusedWhenTheCertificateHasExpired() throws {
        let fixture = try TLSFixture.shared.get()
        let server = try TestServer(fixture, certificate: fixture.expiredServerCertificate)
        let client = try TestClient(server, fixture.credentials())
        let error = try handshakeFailure(client)
        #expect(error.kind == .certificate)
        #expect(error.message.hasPrefix("certificate expired: 'CN=kinglet.test' was valid until 20"))
        #expect(error.message.hasSuffix(" UTC"))
    }

    @Test func refusedWithAWrongPinThatTheMessageCorrects() throws {
        let fixture = try TLSFixture.shared.get()
        let server = try TestServer(fixture)
        let client = try TestClient(server, fixture.credentials(pins: [[UInt8](repeating: 7, count: 32)]))
        let error = try handshakeFailure(client)
        #expect(error.kind == .pinMismatch)
        let shown = TLSConfiguration.formatPin(fixture.serverPin)
        #expect(error.message.contains(shown))
        #expect(TLSConfiguration.parsePin(shown) == fixture.serverPin)
        #expect(throws: TLSError.self) { _ = try client.receiveLine() }
    }

    @Test func acceptedWithTheRightPin() throws {
        let fixture = try TLSFixture.shared.get()
        let server = try TestServer(fixture)
        let pins = [[UInt8](repeating: 7, count: 32), fixture.serverPin]
        let client = try TestClient(server, fixture.credentials(pins: pins))
        try client.handshake()
        #expect(client.session.summary.hasSuffix(", key pinned"))
        try client.send("pinned\n")
        #expect(try client.receiveLine() == "dennip\n")
    }

    @Test func negotiatesALPNForDirectTLS() throws {
        let fixture = try TLSFixture.shared.get()
        let server = try TestServer(fixture, extraArguments: ["-alpn", "xmpp-client"])
        let client = try TestClient(server, fixture.credentials(), alpn: ["xmpp-client"])
        try client.handshake()
        #expect(client.session.negotiatedALPN == "xmpp-client")
        #expect(client.session.summary.contains(", ALPN xmpp-client"))
    }

    @Test func presentsTheClientCertificate() throws {
        let fixture = try TLSFixture.shared.get()
        let server = try TestServer(
            fixture, extraArguments: ["-Verify", "1", "-CAfile", fixture.caFile, "-verify_return_error"])
        let client = try TestClient(server, fixture.credentials(client: true))
        try client.handshake()
        #expect(client.session.summary.contains(", client certificate"))
        try client.send("device\n")
        #expect(try client.receiveLine() == "ecived\n")
        try server.waitForOutput(containing: "Peer certificate: CN = kinglet-device")
    }

    @Test func refusedByAServerThatRequiresAClientCertificate() throws {
        let fixture = try TLSFixture.shared.get()
        let server = try TestServer(
            fixture, extraArguments: ["-Verify", "1", "-CAfile", fixture.caFile, "-verify_return_error"])
        let client = try TestClient(server, fixture.credentials())
        let error = try handshakeFailure(client)
        #expect(error.kind == .handshake || error.kind == .io)
        #expect(error.code != 0)
    }

    /// mbedTLS encrypts a write's bytes before it reports want-write; a retry with more bytes
    /// appended (the transport's queue grew meanwhile) must take exactly those, or data is lost.
    @Test func aRetriedWriteTakesOnlyThePendingBytes() throws {
        let fixture = try TLSFixture.shared.get()
        let server = try TestServer(fixture)
        let client = try TestClient(server, fixture.credentials())
        try client.handshake()
        var small: Int32 = 4096
        setsockopt(client.fd, SOL_SOCKET, SO_SNDBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        let lineCount = 60_000
        let payload = Array((0..<lineCount).map { "L" + String(1_000_000 + $0).dropFirst() + "\n" }.joined().utf8)
        server.suspend()
        // One line per write until the socket is full and mbedTLS holds an encrypted record.
        var offset = 0
        var blocked = false
        while !blocked, offset < payload.count / 2 {
            switch try payload[offset..<offset + 8].withUnsafeBytes({ try client.session.write($0) }) {
            case .bytes(let n): offset += n
            case .wantRead, .wantWrite: blocked = true
            case .closed: throw FixtureError("closed")
            }
        }
        try #require(blocked, "the socket never filled up")
        server.resume()
        var echoed = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 16384)
        while echoed.count < payload.count {
            if offset < payload.count {
                // Retry with far more bytes than the pending line, as a grown queue would.
                let end = min(offset + 1000, payload.count)
                switch try payload[offset..<end].withUnsafeBytes({ try client.session.write($0) }) {
                case .bytes(let n): offset += n
                case .wantRead, .wantWrite, .closed: break
                }
            }
            switch try buffer.withUnsafeMutableBytes({ try client.session.read(into: $0) }) {
            case .bytes(let n): echoed += buffer[0..<n]
            case .closed: throw FixtureError("closed after \(echoed.count) bytes")
            case .wantRead, .wantWrite:
                let events = offset < payload.count ? POLLIN | POLLOUT : POLLIN
                try waitFor(client.fd, events, deadline: client.deadline, "echo")
            }
        }
        let expected = payload.split(separator: UInt8(ascii: "\n")).map { $0.reversed() + [UInt8(ascii: "\n")] }
        #expect(echoed == Array(expected.joined()))
    }

    @Test func readBeforeTheHandshakeIsMisuse() throws {
        let fixture = try TLSFixture.shared.get()
        let server = try TestServer(fixture)
        let client = try TestClient(server, fixture.credentials())
        var buffer = [UInt8](repeating: 0, count: 8)
        let error = #expect(throws: TLSError.self) { _ = try buffer.withUnsafeMutableBytes { try client.session.read(into: $0) } }
        #expect(error?.kind == .misuse)
    }

    @Test func closeNotifyEndsTheSession() throws {
        let fixture = try TLSFixture.shared.get()
        let server = try TestServer(fixture)
        let client = try TestClient(server, fixture.credentials())
        try client.handshake()
        client.session.closeNotify()
        let result = try [UInt8]("late".utf8).withUnsafeBytes { try client.session.write($0) }
        #expect(result == .closed)
    }
}
