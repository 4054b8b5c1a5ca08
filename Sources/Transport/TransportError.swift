package import Support

/// Why a connection could not be made or ended: transport-level failures, kept apart from
/// XMPP stream and stanza errors. Descriptions are one log line and never contain secrets.
package enum TransportError: Error, Sendable, CustomStringConvertible {
    case resolve(host: String, reason: String)
    case connect(endpoint: String, reason: String)
    case tls(String)
    case io(SystemError)
    /// The peer closed the TCP connection.
    case closed
    /// Nothing arrived within the time allowed.
    case timedOut(String)

    package var description: String {
        switch self {
        case .resolve(let host, let reason): "cannot resolve \(host): \(reason)"
        case .connect(let endpoint, let reason): "cannot connect to \(endpoint): \(reason)"
        case .tls(let reason): "TLS: \(reason)"
        case .io(let error): "I/O error: \(error)"
        case .closed: "connection closed by the server"
        case .timedOut(let what): "timed out: \(what)"
        }
    }
}
