package import XMLStream

/// What the session must do next, in order, as the negotiation state machine decides.
package enum NegotiationAction: Sendable, Equatable {
    /// Open the stream (first header on this connection).
    case openStream(header: String)
    /// Send an element.
    case send(XMLElement)
    /// `<proceed/>` arrived: start the TLS handshake now.
    case startTLS
    /// Reset the parser and open a new stream over the same connection.
    case restartStream(header: String)
    /// SASL succeeded (and the server proved itself, for SCRAM).
    case authenticated(SASLMechanism)
    /// The server offers stream management and it was enabled.
    case streamManagementEnabled(id: String?, resume: Bool, max: Int?, location: String?)
    /// The previous session was resumed; `h` acknowledges our stanzas.
    case resumed(h: UInt32)
    /// Resumption was refused; `h`, when given, still acknowledges stanzas.
    case resumptionFailed(h: UInt32?)
    /// Negotiation is complete: the session is online as `jid`.
    case ready(jid: JID, resumed: Bool, features: StreamFeatures)
}

/// Why negotiation failed. None of these carries a credential.
package enum NegotiationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server does not offer STARTTLS and the stream is not encrypted: never continue.
    case tlsNotOffered
    case tlsRefused
    case authentication(SASLError)
    case bindFailed(StanzaError)
    case streamError(StreamError)
    case unexpected(String)

    package var description: String {
        switch self {
        case .tlsNotOffered: "the server does not offer TLS; refusing to continue without encryption"
        case .tlsRefused: "the server refused to start TLS"
        case .authentication(let error): "authentication failed: \(error)"
        case .bindFailed(let error): "resource binding failed: \(error)"
        case .streamError(let error): "stream error from the server: \(error)"
        case .unexpected(let what): "unexpected during negotiation: \(what)"
        }
    }
}
