internal import CMbedTLS
import Glibc
import Synchronization

/// The parsed trust anchors and client certificate of a `TLSConfiguration`: loaded once at
/// start-up and shared by every `TLSSession` across reconnects, because parsing the system
/// bundle is the expensive part. Debian 12's bundle (139 certificates) costs about 450 KiB
/// of heap for as long as the credentials live, and 5 to 10 ms to parse on a desktop core
/// (`kinglet-bench crypto` prints both); a `caFile` with one CA costs a few KiB.
///
/// Sendable story: after `init` the C structures are never changed by Kinglet. mbedTLS reads
/// the CA chain during verification, and uses the client key for one signature per
/// handshake; the key operation may update caches inside the key (RSA blinding values, the
/// EC precomputed-points table). So every handshake step that can touch them runs inside
/// `withExclusiveAccess`, and two sessions on different threads never use them at once.
package final class TLSCredentials: @unchecked Sendable {
    package let configuration: TLSConfiguration
    /// The file the trust anchors came from, for log lines and error messages.
    package let trustSource: String
    /// How many CA certificates were loaded.
    package let trustedCertificateCount: Int
    /// Entries of the system bundle that mbedTLS could not parse and skipped (0 for a `caFile`,
    /// which must parse completely).
    package let skippedCertificateCount: Int

    let caChain: UnsafeMutablePointer<mbedtls_x509_crt>
    let clientChain: UnsafeMutablePointer<mbedtls_x509_crt>?
    let clientKey: UnsafeMutablePointer<mbedtls_pk_context>?
    private let lock = Mutex<Void>(())

    /// Loads the CA certificates and, when configured, the client certificate and key.
    /// Throws a `.configuration` error naming the file and what is wrong with it.
    package init(_ configuration: TLSConfiguration) throws(TLSError) {
        self.configuration = configuration
        caChain = .allocate(capacity: 1)
        mbedtls_x509_crt_init(caChain)
        var chain: UnsafeMutablePointer<mbedtls_x509_crt>?
        var key: UnsafeMutablePointer<mbedtls_pk_context>?
        do {
            let loaded = try Self.loadTrust(configuration.trust, into: caChain)
            trustSource = loaded.source
            trustedCertificateCount = loaded.count
            skippedCertificateCount = loaded.skipped
            if let client = configuration.clientCertificate {
                chain = .allocate(capacity: 1)
                mbedtls_x509_crt_init(chain)
                key = .allocate(capacity: 1)
                mbedtls_pk_init(key)
                try Self.loadClientCertificate(client, chain: chain!, key: key!)
            }
        } catch {
            Self.release(caChain, chain, key)
            throw error
        }
        clientChain = chain
        clientKey = key
    }

    deinit {
        Self.release(caChain, clientChain, clientKey)
    }

    /// Runs `body` while no other session uses these credentials (see the type's comment).
    func withExclusiveAccess<R>(_ body: () -> R) -> R {
        lock.withLock { _ in body() }
    }

    private static func release(
        _ ca: UnsafeMutablePointer<mbedtls_x509_crt>, _ chain: UnsafeMutablePointer<mbedtls_x509_crt>?,
        _ key: UnsafeMutablePointer<mbedtls_pk_context>?
    ) {
        mbedtls_x509_crt_free(ca)
        ca.deallocate()
        if let chain {
            mbedtls_x509_crt_free(chain)
            chain.deallocate()
        }
        if let key {
            mbedtls_pk_free(key)
            key.deallocate()
        }
    }

    private static func loadTrust(
        _ trust: TLSTrust, into chain: UnsafeMutablePointer<mbedtls_x509_crt>
    ) throws(TLSError) -> (source: String, count: Int, skipped: Int) {
        switch trust {
        case .caFile(let path):
            let skipped = try parseCertificates(path, into: chain, purpose: "CA file")
            guard skipped == 0 else {
                throw TLSError(
                    .configuration, operation: "load CA file \(path)",
                    message: "\(skipped) certificate(s) in the file could not be parsed")
            }
            return (path, count(chain), 0)
        case .systemBundle:
            guard let path = TLSTrust.systemBundlePaths.first(where: { access($0, R_OK) == 0 }) else {
                throw TLSError(
                    .configuration, operation: "load the system CA bundle",
                    message: "none of \(TLSTrust.systemBundlePaths.joined(separator: ", ")) is readable; "
                        + "install ca-certificates or set ca_file")
            }
            // A distribution bundle may hold a certificate mbedTLS cannot parse; skipping it
            // only means that CA is not trusted.
            let skipped = try parseCertificates(path, into: chain, purpose: "system CA bundle")
            return (path, count(chain), skipped)
        }
    }

    /// Parses every PEM certificate in `path` into `chain`; returns how many failed to parse.
    /// Throws when the file is unreadable or holds no usable certificate at all.
    private static func parseCertificates(
        _ path: String, into chain: UnsafeMutablePointer<mbedtls_x509_crt>, purpose: String
    ) throws(TLSError) -> Int {
        let operation = "load \(purpose) \(path)"
        try requireReadable(path, operation: operation)
        let status = mbedtls_x509_crt_parse_file(chain, path)
        if status < 0 {
            throw TLSError(
                .configuration, operation: operation, code: status,
                message: "no certificate could be parsed (\(TLSError.text(for: status)))")
        }
        return Int(status)
    }

    private static func loadClientCertificate(
        _ client: TLSClientCertificate, chain: UnsafeMutablePointer<mbedtls_x509_crt>,
        key: UnsafeMutablePointer<mbedtls_pk_context>
    ) throws(TLSError) {
        let skipped = try parseCertificates(client.certificateFile, into: chain, purpose: "client certificate")
        guard skipped == 0 else {
            throw TLSError(
                .configuration, operation: "load client certificate \(client.certificateFile)",
                message: "\(skipped) certificate(s) in the file could not be parsed")
        }
        let operation = "load client key \(client.keyFile)"
        try requireReadable(client.keyFile, operation: operation)
        try mbedTLS(operation, kind: .configuration) { mbedtls_pk_parse_keyfile(key, client.keyFile, nil) }
        let pair = mbedtls_pk_check_pair(&chain.pointee.pk, key)
        guard pair == 0 else {
            throw TLSError(
                .configuration, operation: operation, code: pair,
                message: "the key does not belong to the certificate in \(client.certificateFile)")
        }
    }

    /// mbedTLS reports an unreadable file only as a generic I/O error; errno says why.
    private static func requireReadable(_ path: String, operation: String) throws(TLSError) {
        if access(path, R_OK) != 0 {
            throw TLSError(.configuration, operation: operation, message: String(cString: strerror(errno)))
        }
    }

    private static func count(_ chain: UnsafeMutablePointer<mbedtls_x509_crt>) -> Int {
        var n = 0
        var cursor: UnsafeMutablePointer<mbedtls_x509_crt>? = chain
        while let current = cursor, current.pointee.raw.len > 0 {
            n += 1
            cursor = current.pointee.next
        }
        return n
    }
}
