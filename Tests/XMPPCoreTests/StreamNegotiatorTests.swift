import Support
import Testing
import XMLStream
@testable import XMPPCore

/// Drives the negotiator through scripted server exchanges, as a real server would send them.
@Suite struct StreamNegotiatorTests {
    let jid = try! JID("user@example.org")

    func settings(password: String = "pencil", resumption: (id: String, h: UInt32, jid: JID)? = nil) -> StreamNegotiator.Settings {
        StreamNegotiator.Settings(
            jid: jid, resource: "kinglet", password: Secret(password), resumption: resumption,
            clientNonce: "fyko+d2lbbFgONRv9qkxdawL")
    }

    func features(_ children: XMLElement...) -> XMLElement {
        XMLElement("features", namespace: Namespace.streams, children: children.map { .element($0) })
    }

    func mechanisms(_ names: String...) -> XMLElement {
        XMLElement("mechanisms", namespace: Namespace.sasl, children: names.map { .element(XMLElement("mechanism", text: $0)) })
    }

    func sasl(_ name: String, _ text: String = "") -> XMLElement {
        XMLElement(name, namespace: Namespace.sasl, text: text)
    }

    func sent(_ actions: [NegotiationAction]) -> [XMLElement] {
        actions.compactMap { if case .send(let e) = $0 { e } else { nil } }
    }

    var bindFeatures: XMLElement {
        features(XMLElement("bind", namespace: Namespace.bind), XMLElement("sm", namespace: Namespace.streamManagement))
    }

    /// STARTTLS, SCRAM-SHA-1 with the RFC 5802 vector, bind, and stream management.
    @Test func fullNegotiationOverStartTLS() throws {
        var n = StreamNegotiator(settings: settings(), secure: false)
        guard case .openStream(let header) = n.start().first else { Issue.record("no header"); return }
        #expect(!header.contains("from="))
        try n.streamOpened()
        var actions = try n.handle(features(XMLElement("starttls", namespace: Namespace.tls)))
        #expect(sent(actions).first?.name == "starttls")
        #expect(try n.handle(XMLElement("proceed", namespace: Namespace.tls)) == [.startTLS])
        actions = try n.tlsEstablished()
        guard case .restartStream(let secureHeader) = actions.first else { Issue.record("no restart"); return }
        #expect(secureHeader.contains("from='user@example.org'"))
        try n.streamOpened()

        actions = try n.handle(features(mechanisms("PLAIN", "SCRAM-SHA-1")))
        let auth = try #require(sent(actions).first)
        #expect(auth.attribute("mechanism") == "SCRAM-SHA-1")
        #expect(Base64.decode(auth.text).map { String(decoding: $0, as: UTF8.self) } == "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL")

        let serverFirst = "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096"
        actions = try n.handle(sasl("challenge", Base64.encode(Array(serverFirst.utf8))))
        let response = try #require(sent(actions).first)
        #expect(Base64.decode(response.text).map { String(decoding: $0, as: UTF8.self) }
            == "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=")

        actions = try n.handle(sasl("success", Base64.encode(Array("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=".utf8))))
        #expect(actions.first == .authenticated(.scramSHA1))
        guard case .restartStream = actions.last else { Issue.record("no restart after SASL"); return }
        try n.streamOpened()

        actions = try n.handle(bindFeatures)
        let bind = try #require(sent(actions).first)
        #expect(bind.name == "iq" && bind.attribute("type") == "set")
        #expect(bind.child("bind", namespace: Namespace.bind)?.child("resource", namespace: Namespace.bind)?.text == "kinglet")

        let boundJID = XMLElement("bind", namespace: Namespace.bind) { XMLElement("jid", text: "user@example.org/kinglet-42") }
        actions = try n.handle(XMLElement("iq", namespace: Namespace.client, attributes: ["type": "result", "id": "bind"], children: [.element(boundJID)]))
        let enable = try #require(sent(actions).first)
        #expect(enable.name == "enable" && enable.attribute("resume") == "true")

        actions = try n.handle(XMLElement("enabled", namespace: Namespace.streamManagement, attributes: ["id": "sm-1", "resume": "true", "max": "120"]))
        #expect(actions.first == .streamManagementEnabled(id: "sm-1", resume: true, max: 120, location: nil))
        guard case .ready(let bound, let resumed, _) = actions.last else { Issue.record("not ready"); return }
        #expect(bound.description == "user@example.org/kinglet-42")
        #expect(!resumed)
    }

    @Test func refusesToContinueWithoutTLS() throws {
        var n = StreamNegotiator(settings: settings(), secure: false)
        try n.streamOpened()
        #expect(throws: NegotiationError.tlsNotOffered) { try n.handle(features(mechanisms("PLAIN"))) }
    }

    @Test func tlsFailureIsARefusal() throws {
        var n = StreamNegotiator(settings: settings(), secure: false)
        try n.streamOpened()
        _ = try n.handle(features(XMLElement("starttls", namespace: Namespace.tls)))
        #expect(throws: NegotiationError.tlsRefused) { try n.handle(XMLElement("failure", namespace: Namespace.tls)) }
    }

    func authenticatingDirectTLS(_ mechanismsOffered: XMLElement) throws -> (StreamNegotiator, XMLElement) {
        var n = StreamNegotiator(settings: settings(), secure: true)
        guard case .openStream(let header) = n.start().first else { throw NegotiationError.unexpected("no header") }
        #expect(header.contains("from="))
        try n.streamOpened()
        let auth = try #require(sent(try n.handle(features(mechanismsOffered))).first)
        return (n, auth)
    }

    @Test func plainInsideTLS() throws {
        let (_, auth) = try authenticatingDirectTLS(mechanisms("PLAIN"))
        #expect(auth.attribute("mechanism") == "PLAIN")
        #expect(Base64.decode(auth.text) == Array("\0user\0pencil".utf8))
    }

    @Test func wrongPasswordIsNotAuthorized() throws {
        var (n, _) = try authenticatingDirectTLS(mechanisms("SCRAM-SHA-256"))
        #expect(throws: NegotiationError.authentication(.failure(.notAuthorized, text: nil))) {
            try n.handle(sasl("failure").with(child: XMLElement("not-authorized", namespace: Namespace.sasl)))
        }
    }

    @Test func forgedServerSignatureIsRefused() throws {
        var (n, _) = try authenticatingDirectTLS(mechanisms("SCRAM-SHA-1"))
        let serverFirst = "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096"
        _ = try n.handle(sasl("challenge", Base64.encode(Array(serverFirst.utf8))))
        #expect(throws: NegotiationError.authentication(.serverSignatureMismatch)) {
            try n.handle(sasl("success", Base64.encode(Array("v=AAAApqV8S7suAoZWja4dJRkFsKQ=".utf8))))
        }
    }

    @Test func garbledChallengeIsAClearError() throws {
        var (n, _) = try authenticatingDirectTLS(mechanisms("SCRAM-SHA-1"))
        #expect(throws: NegotiationError.authentication(.malformedServerMessage("challenge is not valid base64"))) {
            try n.handle(sasl("challenge", "%%%"))
        }
    }

    func authenticated(resumption: (id: String, h: UInt32, jid: JID)?) throws -> StreamNegotiator {
        var n = StreamNegotiator(settings: settings(resumption: resumption), secure: true)
        try n.streamOpened()
        _ = try n.handle(features(mechanisms("PLAIN")))
        _ = try n.handle(sasl("success"))
        try n.streamOpened()
        return n
    }

    @Test func resumesAPreviousSession() throws {
        let previous = try JID("user@example.org/kinglet-7")
        var n = try authenticated(resumption: (id: "abc", h: 9, jid: previous))
        let resume = try #require(sent(try n.handle(bindFeatures)).first)
        #expect(resume.name == "resume" && resume.attribute("previd") == "abc" && resume.attribute("h") == "9")
        let actions = try n.handle(XMLElement("resumed", namespace: Namespace.streamManagement, attributes: ["previd": "abc", "h": "4"]))
        #expect(actions.first == .resumed(h: 4))
        guard case .ready(let jid, let resumed, _) = actions.last else { Issue.record("not ready"); return }
        #expect(jid == previous && resumed)
    }

    @Test func failedResumptionFallsBackToBinding() throws {
        var n = try authenticated(resumption: (id: "abc", h: 9, jid: try JID("user@example.org/old")))
        _ = try n.handle(bindFeatures)
        let actions = try n.handle(XMLElement("failed", namespace: Namespace.streamManagement, attributes: ["h": "3"]))
        #expect(actions.first == .resumptionFailed(h: 3))
        #expect(sent(actions).first?.child("bind", namespace: Namespace.bind) != nil)
    }

    @Test func bindErrorIsReported() throws {
        var n = try authenticated(resumption: nil)
        _ = try n.handle(bindFeatures)
        let error = StanzaError(.conflict)
        let reply = XMLElement("iq", namespace: Namespace.client, attributes: ["type": "error", "id": "bind"], children: [.element(error.element)])
        #expect(throws: NegotiationError.bindFailed(StanzaError(.conflict))) { try n.handle(reply) }
    }

    @Test func streamErrorDuringNegotiation() throws {
        var n = StreamNegotiator(settings: settings(), secure: true)
        try n.streamOpened()
        let error = XMLElement("error", namespace: Namespace.streams) {
            XMLElement("see-other-host", namespace: Namespace.streamErrors, text: "other.example.org:5223")
        }
        #expect(throws: NegotiationError.streamError(StreamError(condition: "see-other-host", otherHost: "other.example.org:5223"))) {
            try n.handle(error)
        }
    }

    @Test func withoutStreamManagementTheSessionIsReadyAfterBind() throws {
        var n = try authenticated(resumption: nil)
        _ = try n.handle(features(XMLElement("bind", namespace: Namespace.bind)))
        let boundJID = XMLElement("bind", namespace: Namespace.bind) { XMLElement("jid", text: "user@example.org/r") }
        let actions = try n.handle(XMLElement("iq", namespace: Namespace.client, attributes: ["type": "result", "id": "bind"], children: [.element(boundJID)]))
        guard case .ready = actions.last else { Issue.record("not ready"); return }
    }
}

extension XMLElement {
    func with(child: XMLElement) -> XMLElement {
        var copy = self
        copy.append(child)
        return copy
    }
}
