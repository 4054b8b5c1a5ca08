package import Session
package import XMLStream

/// What the publisher needs from the session: `XMPPSession` in the agent, a script in tests.
package protocol PublishTransport: Sendable {
    /// Sends an IQ without waiting; `response` is called once with its answer. Returns false
    /// (and never calls `response`) when offline, or when `generation` (how many
    /// `.online(resumed: false)` events the caller has handled) is not the current stream's.
    func sendRequest(
        _ iq: XMLElement, tag: StanzaTag?, timeout: Duration?, generation: Int?,
        response: @escaping @Sendable (Result<XMLElement, RequestError>) -> Void
    ) async -> Bool
    /// Sends an IQ and waits for its answer.
    func request(_ iq: XMLElement, timeout: Duration?) async -> Result<XMLElement, RequestError>
    /// Whether XEP-0198 is on for the current stream.
    var streamManagementActive: Bool { get async }
    /// Asks the server for an XEP-0198 ack of what was sent, now.
    func requestAcknowledgement() async
}

extension XMPPSession: PublishTransport {}
