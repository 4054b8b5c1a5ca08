package import Crypto
package import Support
package import XMLStream
package import Transport
package import XMPPCore

/// What the session needs to know; the agent builds it from the `[xmpp]` config section.
package struct SessionConfiguration: Sendable {
    /// The account (bare JID).
    package var jid: JID
    package var resource: String
    package var password: Secret?
    package var tls: TLSConfiguration
    package var host: String?
    package var port: UInt16?
    package var directTLS = false
    /// Servers to try in order instead of `host` or SRV (`[xmpp] servers`).
    package var servers: [Endpoint] = []
    package var connectTimeout: Duration = .seconds(15)
    package var reconnectInitial: Duration = .seconds(1)
    package var reconnectMax: Duration = .seconds(60)
    package var pingInterval: Duration = .seconds(60)
    package var pingTimeout: Duration = .seconds(20)
    package var limits = XMLStreamLimits()
    package var streamManagement = true
    /// How long the server should keep the session resumable after a cut.
    package var resumptionSeconds = 300
    /// Request an XEP-0198 ack after this many unacknowledged stanzas (and when sending pauses).
    package var ackBatch = 25
    /// How long an IQ request waits for its response by default.
    package var requestTimeout: Duration = .seconds(30)
    /// Received stanzas not yet handled by the agent at which the session stops reading the
    /// socket (`[limits] input_stanzas`).
    package var inboundStanzas = 128
    /// Output not yet written at which the session stops reading the socket, until it is down
    /// to a quarter of it (`[limits] output_buffer`).
    package var outputBuffer = 256 * 1024
    /// Bulk data (readout answers) goes out only while the output is below a quarter of
    /// `outputBuffer` and the stanzas the server has not acknowledged stay under this many bytes
    /// (`[limits] bulk_in_flight`): operators' answers and published readings never wait behind it.
    package var bulkInFlight = 128 * 1024

    package init(jid: JID, resource: String, password: Secret?, tls: TLSConfiguration) {
        self.jid = jid
        self.resource = resource
        self.password = password
        self.tls = tls
    }
}
