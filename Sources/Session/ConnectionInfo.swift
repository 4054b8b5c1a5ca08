package import Crypto
package import Support

/// Where the session is connected and how, for people ("Device information"), the service
/// manager's status line and `kinglet doctor`. The server, TLS and mechanism are those of the
/// current connection attempt (or the last one, until the next begins).
package struct ConnectionInfo: Sendable, Hashable {
    /// When a connection ended (or an attempt failed), and why.
    package struct Ending: Sendable, Hashable {
        package var at: Timestamp
        package var reason: String

        package init(at: Timestamp, reason: String) {
            self.at = at
            self.reason = reason
        }
    }

    /// The endpoint of the current connection (`xmpp.example.org:5222`); nil while there is none.
    package var server: String?
    /// TLS on the current connection: version and cipher suite (`TLSv1.2 TLS-ECDHE-…`) and the
    /// server's verified chain.
    package var tls: TLSSummary?
    /// The SASL mechanism the login used.
    package var mechanism: String?
    /// When the current session came online; nil while offline.
    package var onlineSince: Timestamp?
    /// The last connection that ended or attempt that failed.
    package var lastDisconnect: Ending?

    package init(server: String? = nil, tls: TLSSummary? = nil, onlineSince: Timestamp? = nil, lastDisconnect: Ending? = nil) {
        self.server = server
        self.tls = tls
        self.onlineSince = onlineSince
        self.lastDisconnect = lastDisconnect
    }
}
