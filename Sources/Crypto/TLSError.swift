internal import CMbedTLS

/// A TLS failure: what was being done, the raw mbedTLS code (0 when the failure is Kinglet's
/// own, such as a pin mismatch) and a one-line reason a person understands.
///
/// Never holds key material or application data, so it is always safe to log.
package struct TLSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is, so callers can choose between "fix the config",
    /// "the server is not who it claims to be" and "the network dropped us".
    package enum Kind: Sendable, Equatable {
        /// A CA file, client certificate or key is missing or unreadable, or a setting is invalid.
        case configuration
        /// The server's certificate chain, validity period or host name was rejected.
        case certificate
        /// The server's public key matches none of the configured pins.
        case pinMismatch
        /// The TLS protocol failed: no common version or cipher suite, an alert, a bad record.
        case handshake
        /// The transport failed underneath TLS: reset, send or receive error, premature EOF.
        case io
        /// The session was used out of order, e.g. `read` before the handshake completed.
        case misuse
    }

    package let kind: Kind
    /// What was being done, e.g. `TLS handshake with example.org`.
    package let operation: String
    /// The raw mbedTLS return code (negative), or 0.
    package let code: Int32
    package let message: String

    package init(_ kind: Kind, operation: String, code: Int32 = 0, message: String) {
        self.kind = kind
        self.operation = operation
        self.code = code
        self.message = message
    }

    /// The error for an mbedTLS return code, with `mbedtls_strerror`'s text as the message.
    init(mbedTLSCode code: Int32, operation: String, kind: Kind) {
        let inferred = Self.transportCodes.contains(code) ? .io : kind
        self.init(inferred, operation: operation, code: code, message: Self.text(for: code))
    }

    package var description: String {
        var line = "\(operation): \(message)"
        if code != 0 { line += " (mbedTLS \(Self.hex(code)))" }
        return line
    }

    /// mbedTLS's own text for a code, e.g. `SSL - The connection indicated an EOF`.
    static func text(for code: Int32) -> String {
        switch code {
        // The library's wording for these two is obscure; say what happened.
        case MBEDTLS_ERR_SSL_CONN_EOF: return "the server closed the connection"
        case MBEDTLS_ERR_NET_CONN_RESET: return "the connection was reset by the server"
        default:
            var buffer = [CChar](repeating: 0, count: 160)
            mbedtls_strerror(code, &buffer, buffer.count)
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// `-0x7280` style, as mbedTLS documents its codes.
    static func hex(_ code: Int32) -> String {
        let magnitude = code.magnitude
        let digits = String(magnitude, radix: 16, uppercase: true)
        return (code < 0 ? "-0x" : "0x") + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private static let transportCodes: Set<Int32> = [
        MBEDTLS_ERR_SSL_CONN_EOF, MBEDTLS_ERR_NET_CONN_RESET, MBEDTLS_ERR_NET_SEND_FAILED,
        MBEDTLS_ERR_NET_RECV_FAILED,
    ]
}

/// What an mbedTLS call that did not fail came back with.
enum MbedTLSOutcome {
    /// The call succeeded; the value is its non-negative return (a byte count, or 0).
    case done(Int)
    /// The call needs the socket to become readable and must then be repeated.
    case wantRead
    /// The call needs the socket to become writable and must then be repeated.
    case wantWrite
}

/// The one checked call into mbedTLS: a negative return becomes a `TLSError` that keeps the
/// raw code, the operation and `mbedtls_strerror`'s text, except WANT_READ/WANT_WRITE, which are
/// results of non-blocking I/O and not errors.
@discardableResult
func mbedTLS(
    _ operation: @autoclosure () -> String, kind: TLSError.Kind = .handshake, _ body: () -> Int32
) throws(TLSError) -> MbedTLSOutcome {
    let code = body()
    switch code {
    case 0...: return .done(Int(code))
    case MBEDTLS_ERR_SSL_WANT_READ: return .wantRead
    case MBEDTLS_ERR_SSL_WANT_WRITE: return .wantWrite
    default: throw TLSError(mbedTLSCode: code, operation: operation(), kind: kind)
    }
}
