package import Support
package import XMLStream

/// The client side of RFC 6120 stream negotiation as a pure state machine: STARTTLS, SASL,
/// resource binding (or XEP-0198 resumption), then enabling stream management.
///
/// It does no I/O. The session feeds it what the connection reports and carries out the
/// actions it returns, in order. TLS is mandatory: a stream that is not encrypted never
/// reaches SASL.
package struct StreamNegotiator: Sendable {
    package struct Settings: Sendable {
        package var jid: JID
        package var resource: String
        package var password: Secret?
        package var hasClientCertificate: Bool
        package var enableStreamManagement: Bool
        /// The maximum resumption time to ask for, in seconds.
        package var resumptionSeconds: Int?
        /// A previous session to resume instead of binding: its SM-ID, our inbound `h` and the
        /// full JID it was bound to.
        package var resumption: (id: String, h: UInt32, jid: JID)?
        /// For tests: a fixed SCRAM client nonce.
        package var clientNonce: String?

        package init(
            jid: JID, resource: String, password: Secret?, hasClientCertificate: Bool = false,
            enableStreamManagement: Bool = true, resumptionSeconds: Int? = 300,
            resumption: (id: String, h: UInt32, jid: JID)? = nil, clientNonce: String? = nil
        ) {
            self.jid = jid
            self.resource = resource
            self.password = password
            self.hasClientCertificate = hasClientCertificate
            self.enableStreamManagement = enableStreamManagement
            self.resumptionSeconds = resumptionSeconds
            self.resumption = resumption
            self.clientNonce = clientNonce
        }
    }

    private enum Phase: Sendable {
        case awaitingHeader
        case awaitingFeatures
        case awaitingProceed
        case awaitingTLS
        case authenticating(SASLAuthenticator)
        case resuming(StreamFeatures)
        case binding(StreamFeatures)
        case establishingSession(JID, StreamFeatures)
        case enabling(JID, StreamFeatures)
        case done
    }

    private let settings: Settings
    private var phase = Phase.awaitingHeader
    private var secure: Bool
    private var authenticated = false

    /// Starts negotiation on a fresh connection; `secure` when direct TLS already protects it.
    package init(settings: Settings, secure: Bool) {
        self.settings = settings
        self.secure = secure
    }

    /// The first header to send.
    package func start() -> [NegotiationAction] {
        [.openStream(header: header())]
    }

    /// TLS finished (after `.startTLS`): restart the stream, now encrypted.
    package mutating func tlsEstablished() throws(NegotiationError) -> [NegotiationAction] {
        guard case .awaitingTLS = phase else { throw .unexpected("TLS established while not starting TLS") }
        secure = true
        phase = .awaitingHeader
        return [.restartStream(header: header())]
    }

    /// The server's stream header arrived.
    package mutating func streamOpened() throws(NegotiationError) {
        guard case .awaitingHeader = phase else { throw .unexpected("a second stream header") }
        phase = .awaitingFeatures
    }

    /// A top-level element arrived while negotiating.
    package mutating func handle(_ element: XMLElement) throws(NegotiationError) -> [NegotiationAction] {
        if let error = StreamError(element) { throw .streamError(error) }
        switch phase {
        case .awaitingFeatures:
            guard let features = StreamFeatures(element) else { throw .unexpected("<\(element.name)> before features") }
            return try negotiate(features)
        case .awaitingProceed:
            guard element.namespace == Namespace.tls else { throw .unexpected("<\(element.name)> instead of <proceed/>") }
            guard element.name == "proceed" else { throw .tlsRefused }
            phase = .awaitingTLS
            return [.startTLS]
        case .authenticating(var sasl):
            let actions = try authenticate(&sasl, element)
            if case .authenticating = phase { phase = .authenticating(sasl) }
            return actions
        case .resuming(let features):
            return try resume(element, features)
        case .binding(let features):
            return try bind(element, features)
        case .establishingSession(let jid, let features):
            guard element.name == "iq", element.id == "sess" else { throw .unexpected("<\(element.name)> during session") }
            return try enableOrFinish(jid, features)
        case .enabling(let jid, let features):
            return try enabled(element, jid, features)
        case .awaitingHeader, .awaitingTLS, .done:
            throw .unexpected("<\(element.name)>")
        }
    }

    private func header() -> String {
        // RFC 6120 §4.7.1: send `from` only once TLS protects the stream.
        StreamTags.opening(to: settings.jid.domain, from: secure ? settings.jid.bare.description : nil)
    }

    private mutating func negotiate(_ features: StreamFeatures) throws(NegotiationError) -> [NegotiationAction] {
        if !secure {
            guard features.startTLS else { throw .tlsNotOffered }
            phase = .awaitingProceed
            return [.send(XMLElement("starttls", namespace: Namespace.tls))]
        }
        if !authenticated {
            guard let offered = features.mechanisms else { throw .unexpected("features without SASL mechanisms") }
            do throws(SASLError) {
                let mechanism = try SASLMechanism.select(
                    offered: offered, tlsActive: secure, hasClientCertificate: settings.hasClientCertificate,
                    hasPassword: settings.password != nil)
                let sasl = try SASLAuthenticator(
                    mechanism: mechanism, username: settings.jid.local ?? "", password: settings.password?.revealed,
                    clientNonce: settings.clientNonce)
                phase = .authenticating(sasl)
                let initial = sasl.initialResponse.isEmpty ? "=" : Base64.encode(sasl.initialResponse)
                return [.send(XMLElement("auth", namespace: Namespace.sasl, attributes: ["mechanism": mechanism.name], text: initial))]
            } catch {
                throw .authentication(error)
            }
        }
        if let previous = settings.resumption, features.streamManagement {
            phase = .resuming(features)
            return [.send(XMLElement("resume", namespace: Namespace.streamManagement,
                                     attributes: ["previd": previous.id, "h": String(previous.h)]))]
        }
        return try startBinding(features)
    }

    private mutating func authenticate(_ sasl: inout SASLAuthenticator, _ element: XMLElement) throws(NegotiationError) -> [NegotiationAction] {
        guard element.namespace == Namespace.sasl else { throw .unexpected("<\(element.name)> during SASL") }
        do throws(SASLError) {
            switch element.name {
            case "challenge":
                let response = try sasl.respond(toChallenge: try Self.decode(element, "challenge"))
                return [.send(XMLElement("response", namespace: Namespace.sasl, text: response.isEmpty ? "" : Base64.encode(response)))]
            case "success":
                try sasl.verifySuccess(additionalData: try Self.decode(element, "success"))
                authenticated = true
                phase = .awaitingHeader
                return [.authenticated(sasl.mechanism), .restartStream(header: header())]
            case "failure":
                let condition = element.elements.first { $0.name != "text" }?.name ?? "not-authorized"
                throw .failure(SASLFailureCondition(name: condition), text: element.child("text", namespace: Namespace.sasl)?.text)
            default:
                throw .malformedServerMessage("unexpected <\(element.name)>")
            }
        } catch {
            throw .authentication(error)
        }
    }

    /// The base64 payload of a SASL element; empty or `=` means no data.
    private static func decode(_ element: XMLElement, _ what: String) throws(SASLError) -> [UInt8] {
        let text = element.text.filter { !$0.isWhitespace }
        if text.isEmpty || text == "=" { return [] }
        guard let bytes = Base64.decode(text) else { throw .malformedServerMessage("\(what) is not valid base64") }
        return bytes
    }

    private mutating func resume(_ element: XMLElement, _ features: StreamFeatures) throws(NegotiationError) -> [NegotiationAction] {
        guard element.namespace == Namespace.streamManagement, let previous = settings.resumption else {
            throw .unexpected("<\(element.name)> during resumption")
        }
        let h = element.attribute("h").flatMap { UInt32($0) }
        switch element.name {
        case "resumed":
            guard let h else { throw .unexpected("<resumed/> without h") }
            phase = .done
            return [.resumed(h: h), .ready(jid: previous.jid, resumed: true, features: features)]
        case "failed":
            // XEP-0198 §5: the server should let us bind on the same stream.
            return [.resumptionFailed(h: h)] + (try startBinding(features))
        default:
            throw .unexpected("<\(element.name)> during resumption")
        }
    }

    private mutating func startBinding(_ features: StreamFeatures) throws(NegotiationError) -> [NegotiationAction] {
        guard features.bind else { throw .unexpected("features without resource binding") }
        phase = .binding(features)
        let bind = XMLElement("bind", namespace: Namespace.bind) {
            XMLElement("resource", text: settings.resource)
        }
        return [.send(XMLElement("iq", namespace: Namespace.client, attributes: ["type": "set", "id": "bind"], children: [.element(bind)]))]
    }

    private mutating func bind(_ element: XMLElement, _ features: StreamFeatures) throws(NegotiationError) -> [NegotiationAction] {
        guard element.name == "iq", element.id == "bind" else { throw .unexpected("<\(element.name)> during binding") }
        guard element.stanzaType == "result" else {
            throw .bindFailed(StanzaError(stanza: element) ?? StanzaError(.undefinedCondition))
        }
        guard let text = element.child("bind", namespace: Namespace.bind)?.child("jid", namespace: Namespace.bind)?.text,
            let jid = try? JID(text), jid.resource != nil
        else { throw .unexpected("bind result without a full JID") }
        if features.sessionRequired {
            phase = .establishingSession(jid, features)
            let session = XMLElement("session", namespace: Namespace.session)
            return [.send(XMLElement("iq", namespace: Namespace.client, attributes: ["type": "set", "id": "sess"], children: [.element(session)]))]
        }
        return try enableOrFinish(jid, features)
    }

    private mutating func enableOrFinish(_ jid: JID, _ features: StreamFeatures) throws(NegotiationError) -> [NegotiationAction] {
        guard settings.enableStreamManagement, features.streamManagement else {
            phase = .done
            return [.ready(jid: jid, resumed: false, features: features)]
        }
        phase = .enabling(jid, features)
        var enable = XMLElement("enable", namespace: Namespace.streamManagement, attributes: ["resume": "true"])
        if let seconds = settings.resumptionSeconds { enable.setAttribute("max", String(seconds)) }
        return [.send(enable)]
    }

    private mutating func enabled(_ element: XMLElement, _ jid: JID, _ features: StreamFeatures) throws(NegotiationError) -> [NegotiationAction] {
        guard element.namespace == Namespace.streamManagement else { throw .unexpected("<\(element.name)> while enabling SM") }
        phase = .done
        if element.name == "enabled" {
            let resume = element.attribute("resume").map { $0 == "true" || $0 == "1" } ?? false
            return [
                .streamManagementEnabled(
                    id: element.attribute("id"), resume: resume, max: element.attribute("max").flatMap { Int($0) },
                    location: element.attribute("location")),
                .ready(jid: jid, resumed: false, features: features),
            ]
        }
        // <failed/>: carry on without stream management.
        return [.ready(jid: jid, resumed: false, features: features)]
    }
}
