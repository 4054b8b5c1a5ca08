package import Crypto
package import Session
import XMLStream

extension XMPPSettings {
    /// The TLS side of the settings: the server name is the JID's domain, never the host.
    package func tlsConfiguration() -> TLSConfiguration {
        var tls = TLSConfiguration(
            serverName: jid.domain, trust: caFile.map { .caFile($0) } ?? .systemBundle, pinnedKeySHA256: pinnedKeys)
        if let certFile, let keyFile {
            tls.clientCertificate = TLSClientCertificate(certificateFile: certFile, keyFile: keyFile)
        }
        return tls
    }

    /// What the session needs from the `[xmpp]` section.
    package func sessionConfiguration() -> SessionConfiguration {
        var session = SessionConfiguration(jid: jid.bare, resource: resource, password: password, tls: tlsConfiguration())
        session.host = host
        session.port = port
        session.servers = servers
        session.directTLS = directTLS
        session.connectTimeout = connectTimeout
        session.reconnectInitial = reconnectInitial
        session.reconnectMax = reconnectMax
        session.pingInterval = pingInterval
        session.pingTimeout = pingTimeout
        session.limits = XMLStreamLimits(maxStanzaBytes: maxStanzaBytes)
        return session
    }
}
