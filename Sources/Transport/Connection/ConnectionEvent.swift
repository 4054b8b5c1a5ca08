package import Crypto
package import XMLStream

/// What the I/O thread reports to the session, in order. `.failed` and `.closed` are last.
package enum ConnectionEvent: Sendable {
    /// TCP is up: `address` is the numeric peer for the log. For direct TLS the handshake is
    /// done too and the server passed every check: `tls` summarises it for the log.
    case connected(Endpoint, address: String, tls: TLSSummary?)
    /// A STARTTLS handshake finished and the server passed every check.
    case secured(TLSSummary)
    /// The server's `<stream:stream>` header.
    case opened(StreamHeader)
    /// A complete top-level element: a stanza, features, a SASL/TLS/SM nonza, a stream error.
    case element(XMLElement)
    /// The connection is gone and the thread has ended: why, and whether we caused it.
    case failed(ConnectionFailure)
    /// The connection ended because the session asked (`close`).
    case closed
}

/// Why a connection ended without being asked to.
package enum ConnectionFailure: Error, Sendable, CustomStringConvertible {
    /// No endpoint could be reached; one reason per endpoint tried.
    case unreachable([String])
    /// The server failed a TLS check (certificate, name, pin) or the handshake failed.
    case tls(TLSError)
    /// The server sent XML we refused; we sent this stream error and closed.
    case streamErrorSent(XMLStreamError)
    /// The server closed its stream (`</stream:stream>`) or the TCP connection.
    case closedByPeer
    /// Reading or writing the socket failed.
    case io(TransportError)

    package var description: String {
        switch self {
        case .unreachable(let reasons): reasons.isEmpty ? "no endpoint to connect to" : reasons.joined(separator: "; ")
        case .tls(let error): "\(error)"
        case .streamErrorSent(let error): "sent stream error \(error.condition.rawValue): \(error.message)"
        case .closedByPeer: "connection closed by the server"
        case .io(let error): "\(error)"
        }
    }
}
