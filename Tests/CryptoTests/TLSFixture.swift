import Crypto
import Foundation
import Glibc

/// Certificates made at test time with the openssl CLI: a CA with a server certificate for
/// `kinglet.test` and a client certificate, and a second, unrelated CA.
struct TLSFixture: Sendable {
    let directory: String
    var caFile: String { directory + "/ca.pem" }
    var otherCAFile: String { directory + "/other-ca.pem" }
    var serverCertificate: String { directory + "/server.pem" }
    var serverKey: String { directory + "/server.key" }
    /// The server's key in a certificate that expired a day ago.
    var expiredServerCertificate: String { directory + "/expired.pem" }
    var clientCertificate: String { directory + "/client.pem" }
    var clientKey: String { directory + "/client.key" }
    /// SHA-256 of the server's SubjectPublicKeyInfo, computed by openssl.
    let serverPin: [UInt8]

    /// Generated once per test process; the directory is removed when the process exits.
    static let shared = Result { try TLSFixture() }

    private static let extensions = """
        [req]
        distinguished_name = dn
        [dn]
        [ca]
        basicConstraints = critical,CA:TRUE
        keyUsage = critical,keyCertSign,cRLSign
        subjectKeyIdentifier = hash
        [server]
        basicConstraints = CA:FALSE
        keyUsage = critical,digitalSignature
        extendedKeyUsage = serverAuth
        subjectAltName = DNS:kinglet.test
        [client]
        basicConstraints = CA:FALSE
        keyUsage = critical,digitalSignature
        extendedKeyUsage = clientAuth

        """

    private init() throws {
        directory = NSTemporaryDirectory() + "kinglet-crypto-tests-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        atexit {
            try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "kinglet-crypto-tests-\(getpid())")
        }
        try Self.extensions.write(toFile: directory + "/x509.cnf", atomically: true, encoding: .utf8)
        for key in ["ca", "other-ca", "server", "client"] {
            try Self.openssl(in: directory, ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "\(key).key"])
        }
        for (ca, name) in [("ca", "Kinglet Test CA"), ("other-ca", "Unrelated CA")] {
            try Self.openssl(in: directory, [
                "req", "-x509", "-new", "-key", "\(ca).key", "-subj", "/CN=\(name)", "-days", "2",
                "-config", "x509.cnf", "-extensions", "ca", "-out", "\(ca).pem",
            ])
        }
        for (leaf, name, serial) in [("server", "kinglet.test", "2"), ("client", "kinglet-device", "3")] {
            try Self.openssl(in: directory, ["req", "-new", "-key", "\(leaf).key", "-subj", "/CN=\(name)", "-config", "x509.cnf", "-out", "\(leaf).csr"])
            try Self.openssl(in: directory, [
                "x509", "-req", "-in", "\(leaf).csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", serial,
                "-days", "2", "-extfile", "x509.cnf", "-extensions", leaf, "-out", "\(leaf).pem",
            ])
        }
        // Valid from now until a day ago: expired as soon as it is made.
        try Self.openssl(in: directory, [
            "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "4",
            "-days", "-1", "-extfile", "x509.cnf", "-extensions", "server", "-out", "expired.pem",
        ])
        try Self.openssl(in: directory, ["x509", "-in", "server.pem", "-pubkey", "-noout", "-out", "server.pub"])
        try Self.openssl(in: directory, ["pkey", "-pubin", "-in", "server.pub", "-outform", "DER", "-out", "server.spki"])
        try Self.openssl(in: directory, ["dgst", "-sha256", "-binary", "-out", "server.pin", "server.spki"])
        serverPin = Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/server.pin")))
    }

    private static func openssl(in directory: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw FixtureError("openssl \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
        }
    }

    /// Credentials for connecting to the test server.
    func credentials(
        serverName: String = "kinglet.test", ca: String? = nil, pins: [[UInt8]] = [], client: Bool = false
    ) throws -> TLSCredentials {
        try TLSCredentials(
            TLSConfiguration(
                serverName: serverName, trust: .caFile(ca ?? caFile), pinnedKeySHA256: pins,
                clientCertificate: client ? TLSClientCertificate(certificateFile: clientCertificate, keyFile: clientKey) : nil))
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A deadline on the monotonic clock: tests wait on conditions until it passes, never sleep.
struct Deadline {
    private let end: ContinuousClock.Instant

    init(seconds: Int = 20) {
        end = .now + .seconds(seconds)
    }

    /// Milliseconds left, for poll(2); throws once the deadline has passed.
    func remainingMilliseconds(_ what: String) throws -> Int32 {
        let left = end - .now
        guard left > .zero else { throw FixtureError("timed out waiting for \(what)") }
        let (seconds, attoseconds) = left.components
        return Int32(min(seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1, 60_000))
    }
}

/// Waits until `fd` has one of `events`, or the deadline passes.
func waitFor(_ fd: Int32, _ events: Int32, deadline: Deadline, _ what: String) throws {
    while true {
        var entry = pollfd(fd: fd, events: Int16(events), revents: 0)
        let ready = poll(&entry, 1, try deadline.remainingMilliseconds(what))
        if ready > 0 { return }
        if ready < 0 && errno != EINTR { throw FixtureError("poll: errno \(errno)") }
    }
}
