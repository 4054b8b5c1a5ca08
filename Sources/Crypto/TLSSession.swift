internal import CMbedTLS
import Glibc

/// How far a handshake step got. On `.wantRead`/`.wantWrite` poll the socket for that and
/// call `handshake()` again.
package enum TLSProgress: Sendable, Equatable {
    case complete
    case wantRead
    case wantWrite
}

/// The result of one `read` or `write`.
package enum TLSTransfer: Sendable, Equatable {
    /// This many bytes were read or written (never 0 for a non-empty buffer).
    case bytes(Int)
    /// Poll for readable, then repeat the call (a write repeats with the same bytes).
    case wantRead
    /// Poll for writable, then repeat the call (a write repeats with the same bytes).
    case wantWrite
    /// The server ended the TLS session, with close_notify or by closing the socket. XMPP
    /// has its own end marker (`</stream:stream>`), so both count as closed, not as an error.
    case closed
}

/// A TLS 1.2 client session on a non-blocking socket that the caller owns, polls and closes.
///
/// It never polls or blocks: every call does what it can and reports what it waits for.
/// Use it from one thread only (it is not Sendable: an mbedTLS context is not thread-safe).
/// The certificate chain is verified against the credentials' CAs and `serverName`, then the
/// optional key pin is checked; until both pass, `handshake()` does not report `.complete` and
/// `read`/`write` refuse to run. There is no fallback to an unverified or plaintext connection.
///
/// Memory: mbedTLS 2.28 allocates a 16 KiB record buffer each way (plus a few hundred bytes
/// of headroom each) for the life of the session; the handshake state is freed when the
/// handshake completes. Measured: about 39 KiB of heap per established session
/// (`kinglet-bench crypto`, `tls.session.*.heap_established`).
package final class TLSSession {
    private enum State {
        case handshaking
        case established
        case failed(TLSError)
        case closed
    }

    private let credentials: TLSCredentials
    private let config: UnsafeMutablePointer<mbedtls_ssl_config>
    private let ssl: UnsafeMutablePointer<mbedtls_ssl_context>
    /// NULL-terminated C strings for `mbedtls_ssl_conf_alpn_protocols`, which keeps the pointer.
    private let alpnList: UnsafeMutablePointer<UnsafePointer<CChar>?>?
    private let report = CertificateReport()
    private var state = State.handshaking
    /// How many bytes of the caller's buffer mbedTLS holds from a write that returned
    /// want-read/want-write: the retry must pass exactly these.
    private var pendingWrite: Int?

    /// SHA-256 of the server's SubjectPublicKeyInfo, once the handshake is complete: what a
    /// pin must be (log it with `TLSConfiguration.formatPin`).
    package private(set) var peerPublicKeySHA256: [UInt8]?

    /// Prepares a session on `fd` (connected, non-blocking). `alpn` is offered in the
    /// handshake: `["xmpp-client"]` for XEP-0368 direct TLS, empty after STARTTLS.
    package init(credentials: TLSCredentials, fd: Int32, alpn: [String] = []) throws(TLSError) {
        self.credentials = credentials
        config = .allocate(capacity: 1)
        mbedtls_ssl_config_init(config)
        ssl = .allocate(capacity: 1)
        mbedtls_ssl_init(ssl)
        alpnList = Self.cStringList(alpn)
        // Every property is set, so from here a throw runs deinit, which frees them.
        try configure()
        kinglet_ssl_set_socket(ssl, fd)
    }

    deinit {
        mbedtls_ssl_free(ssl)
        ssl.deallocate()
        mbedtls_ssl_config_free(config)
        config.deallocate()
        if let alpnList {
            var cursor = alpnList
            while let string = cursor.pointee {
                free(UnsafeMutablePointer(mutating: string))
                cursor += 1
            }
            alpnList.deallocate()
        }
    }

    private var serverName: String { credentials.configuration.serverName }

    private func configure() throws(TLSError) {
        let operation = "TLS setup for \(serverName)"
        try mbedTLS(operation, kind: .configuration) {
            mbedtls_ssl_config_defaults(
                config, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT)
        }
        // RFC 7590 and RFC 6120 §13.8 ask for TLS 1.2 or later; this mbedTLS has no 1.3.
        mbedtls_ssl_conf_min_version(config, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3)
        mbedtls_ssl_conf_authmode(config, MBEDTLS_SSL_VERIFY_REQUIRED)
        mbedtls_ssl_conf_ca_chain(config, credentials.caChain, nil)
        kinglet_ssl_conf_system_rng(config)
        mbedtls_ssl_conf_verify(config, CertificateReport.callback, Unmanaged.passUnretained(report).toOpaque())
        // Sessions are not resumed, so do not keep tickets around.
        mbedtls_ssl_conf_session_tickets(config, MBEDTLS_SSL_SESSION_TICKETS_DISABLED)
        if let chain = credentials.clientChain, let key = credentials.clientKey {
            try mbedTLS(operation, kind: .configuration) { mbedtls_ssl_conf_own_cert(config, chain, key) }
        }
        if let alpnList {
            try mbedTLS(operation, kind: .configuration) { mbedtls_ssl_conf_alpn_protocols(config, alpnList) }
        }
        try mbedTLS(operation, kind: .configuration) { mbedtls_ssl_setup(ssl, config) }
        try mbedTLS(operation, kind: .configuration) { mbedtls_ssl_set_hostname(ssl, serverName) }
    }

    /// Advances the handshake. Throws on any failure, with a certificate rejection or pin
    /// mismatch explained in one line; after a throw the session is dead (close the socket).
    package func handshake() throws(TLSError) -> TLSProgress {
        switch state {
        case .established: return .complete
        case .failed(let error): throw error
        case .closed: throw TLSError(.misuse, operation: "TLS handshake", message: "the session is closed")
        case .handshaking: break
        }
        let operation = "TLS handshake with \(serverName)"
        // The chain and the client key are shared with other sessions: see TLSCredentials.
        let status = credentials.withExclusiveAccess { mbedtls_ssl_handshake(ssl) }
        do {
            switch try mbedTLS(operation, kind: .handshake, { status }) {
            case .wantRead: return .wantRead
            case .wantWrite: return .wantWrite
            case .done: break
            }
            try checkPeerKey(operation)
            state = .established
            return .complete
        } catch {
            let failure = certificateFailure(operation, code: error.code) ?? error
            state = .failed(failure)
            throw failure
        }
    }

    /// Decrypts into `buffer`. Call again while `bufferedReadableBytes > 0` before polling.
    package func read(into buffer: UnsafeMutableRawBufferPointer) throws(TLSError) -> TLSTransfer {
        guard try usable("TLS read") else { return .closed }
        guard let base = buffer.baseAddress, buffer.count > 0 else { return .bytes(0) }
        let status = mbedtls_ssl_read(ssl, base.assumingMemoryBound(to: UInt8.self), buffer.count)
        switch status {
        case 0, MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY, MBEDTLS_ERR_SSL_CONN_EOF:
            state = .closed
            return .closed
        default:
            return try transfer("TLS read from \(serverName)", status: status)
        }
    }

    /// Encrypts and sends a prefix of `bytes` (at most one 16 KiB record per call).
    ///
    /// After `.wantRead`/`.wantWrite`, call again with bytes that start with the same ones
    /// (more may have been appended meanwhile): mbedTLS has already encrypted the first part,
    /// so the retry takes exactly that part and reports its length. (mbedTLS itself would
    /// report the new, longer length and silently drop the difference.)
    package func write(_ bytes: UnsafeRawBufferPointer) throws(TLSError) -> TLSTransfer {
        guard try usable("TLS write") else { return .closed }
        guard let base = bytes.baseAddress, bytes.count > 0 else { return .bytes(0) }
        var length = bytes.count
        if pendingWrite == nil, kinglet_ssl_unsent_bytes(ssl) > 0 {
            // A record that is not ours (an alert a read queued) is still unsent. Given it,
            // mbedtls_ssl_write would flush it and report our bytes as written unsent.
            switch try transfer("TLS write to \(serverName)", status: mbedtls_ssl_flush_output(ssl)) {
            case .wantRead, .wantWrite, .closed: return .wantWrite
            case .bytes: break
            }
        }
        if let pending = pendingWrite {
            guard bytes.count >= pending else {
                throw TLSError(
                    .misuse, operation: "TLS write",
                    message: "a retried write must repeat the \(pending) bytes mbedTLS already took")
            }
            length = pending
        }
        let status = mbedtls_ssl_write(ssl, base.assumingMemoryBound(to: UInt8.self), length)
        let result = try transfer("TLS write to \(serverName)", status: status)
        switch result {
        case .wantRead, .wantWrite:
            // One call encrypts at most one record's payload of what it is given.
            let recordPayload = Int(mbedtls_ssl_get_max_out_record_payload(ssl))
            pendingWrite = pendingWrite ?? (recordPayload > 0 ? min(length, recordPayload) : length)
        case .bytes, .closed:
            pendingWrite = nil
        }
        return result
    }

    /// Decrypted bytes already held inside mbedTLS: the poll loop must read them before it
    /// sleeps, because the socket will not become readable for them. (mbedTLS 2.28 reads a
    /// stream socket exactly one record at a time, so nothing else hides in its buffers.)
    package var bufferedReadableBytes: Int {
        Int(mbedtls_ssl_get_bytes_avail(ssl))
    }

    /// Sends close_notify if it can without waiting, and ends the session. The caller then
    /// closes the socket.
    package func closeNotify() {
        if case .established = state {
            _ = mbedtls_ssl_close_notify(ssl)
        }
        state = .closed
    }

    /// One line for the log, e.g. `TLSv1.2 TLS-ECDHE-RSA-WITH-AES-256-GCM-SHA384, ALPN xmpp-client`.
    package var summary: String {
        guard case .established = state else { return "TLS not established" }
        var line = String(cString: mbedtls_ssl_get_version(ssl))
        line += " " + String(cString: mbedtls_ssl_get_ciphersuite(ssl))
        if let alpn = negotiatedALPN { line += ", ALPN \(alpn)" }
        if credentials.clientChain != nil { line += ", client certificate" }
        if !credentials.configuration.pinnedKeySHA256.isEmpty { line += ", key pinned" }
        return line
    }

    /// The summary line with the verified chain, once established.
    package var established: TLSSummary {
        TLSSummary(line: summary, chain: report.chain)
    }

    /// The protocol the server picked from our ALPN list, if any.
    package var negotiatedALPN: String? {
        mbedtls_ssl_get_alpn_protocol(ssl).map { String(cString: $0) }
    }

    /// Whether reads and writes may run: throws if the handshake failed or is unfinished,
    /// false once the session is closed.
    private func usable(_ operation: String) throws(TLSError) -> Bool {
        switch state {
        case .established: return true
        case .closed: return false
        case .failed(let error): throw error
        case .handshaking: throw TLSError(.misuse, operation: operation, message: "the handshake is not complete")
        }
    }

    private func transfer(_ operation: String, status: Int32) throws(TLSError) -> TLSTransfer {
        do {
            switch try mbedTLS(operation, kind: .io, { status }) {
            case .done(let count): return .bytes(count)
            case .wantRead: return .wantRead
            case .wantWrite: return .wantWrite
            }
        } catch {
            state = .failed(error)
            throw error
        }
    }

    /// After a failed handshake: a certificate error explained, or nil when the chain was not
    /// the problem (or was never examined).
    private func certificateFailure(_ operation: String, code: Int32) -> TLSError? {
        let flags = mbedtls_ssl_get_verify_result(ssl)
        guard flags != 0, flags != UInt32.max else { return nil }
        let message = report.explain(
            flags: flags, serverName: serverName, trustSource: credentials.trustSource)
        return TLSError(.certificate, operation: operation, code: code, message: message)
    }

    /// Records the SHA-256 of the server's SubjectPublicKeyInfo and checks it against the pins.
    private func checkPeerKey(_ operation: String) throws(TLSError) {
        guard let peer = mbedtls_ssl_get_peer_cert(ssl) else {
            throw TLSError(.certificate, operation: operation, message: "the server sent no certificate")
        }
        // 4 KiB holds the SubjectPublicKeyInfo of RSA keys up to 16384 bits.
        var der = [UInt8](repeating: 0, count: 4096)
        let length = der.withUnsafeMutableBufferPointer { out in
            mbedtls_pk_write_pubkey_der(&UnsafeMutablePointer(mutating: peer).pointee.pk, out.baseAddress, out.count)
        }
        try mbedTLS(operation, kind: .certificate) { length }
        // mbedtls_pk_write_pubkey_der writes backwards from the END of the buffer: the
        // encoding is the last `length` bytes, not the first.
        let digest = Digest.sha256.hash(der[(der.count - Int(length))...])
        peerPublicKeySHA256 = digest
        let pins = credentials.configuration.pinnedKeySHA256
        guard pins.isEmpty || pins.contains(where: { ConstantTime.equals($0, digest) }) else {
            throw TLSError(
                .pinMismatch, operation: operation,
                message: "server key pin mismatch: the server's key is \(TLSConfiguration.formatPin(digest)), "
                    + "which matches none of the \(pins.count) configured pin(s)")
        }
    }

    private static func cStringList(_ strings: [String]) -> UnsafeMutablePointer<UnsafePointer<CChar>?>? {
        guard !strings.isEmpty else { return nil }
        let list = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: strings.count + 1)
        for (i, string) in strings.enumerated() {
            list[i] = UnsafePointer(strdup(string))
        }
        list[strings.count] = nil
        return list
    }
}
