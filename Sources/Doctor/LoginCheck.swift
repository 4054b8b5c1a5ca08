import Agent
import Crypto
import Session
import Support
import XEPs
import XMLStream
import XMPPCore

/// TLS, the login and the server's features, through one connection attempt of the agent's own
/// session (the same negotiation, TLS checks and SASL as `kinglet run`), then a few disco#info
/// questions on the open stream.
struct LoginCheck {
    let configuration: AgentConfiguration
    /// Certificates expiring sooner than this are a warning.
    var expiryWarning: Duration = .seconds(14 * 86_400)

    /// The lines, in order: TLS, login, then (once online) XEP-0198, publishing, and the MUC
    /// service when a fleet room is configured.
    func run() async -> [Finding] {
        var session = configuration.xmpp.sessionConfiguration()
        session.reconnectInitial = .seconds(3600)  // one attempt: the doctor stops it after
        session.reconnectMax = .seconds(3600)
        let client: XMPPSession
        do {
            client = try XMPPSession(configuration: session)
        } catch {
            return [.failed("TLS", "\(error)", fix: "check [xmpp] ca_file, cert_file and key_file")]
        }
        let runner = Task { await client.run() }
        var online: JID?
        var failure = "the session ended"
        for await event in client.events {
            if case .online(let jid, _) = event {
                online = jid
                break
            }
            if case .offline(let reason) = event {
                failure = reason
                break
            }
        }
        let info = await client.connectionInfo
        var findings = [tls(info, failure: online == nil ? failure : nil)]
        if info.tls != nil { findings.append(login(online, info: info, failure: failure)) }
        if online != nil { findings += await features(client) }
        await client.stop()
        await runner.value
        return findings
    }

    private func tls(_ info: ConnectionInfo, failure: String?) -> Finding {
        guard let tls = info.tls else {
            let reason = failure ?? "no TLS"
            return .failed("TLS", reason, fix: info.server == nil ? "see the TCP lines above" : Self.tlsFix(reason, domain: configuration.xmpp.jid.domain))
        }
        guard let leaf = tls.chain.first else { return .ok("TLS", tls.line) }
        let names = leaf.dnsNames.isEmpty ? leaf.subject : leaf.dnsNames.joined(separator: ", ")
        let chain = tls.chain.map(\.subject).joined(separator: " ← ")
        let left = Duration.milliseconds(leaf.notAfter.millisecondsSinceEpoch - Timestamp.now().millisecondsSinceEpoch)
        let days = left.components.seconds / 86_400
        let text = "\(tls.line); certificate for \(names) (name checked: \(configuration.xmpp.jid.domain)), chain \(chain), "
            + "expires \(leaf.notAfter) (in \(Int(days).counted("day")))"
        if left < expiryWarning {
            return .warning("TLS", text, fix: "renew the server's certificate before it expires")
        }
        return .ok("TLS", text)
    }

    private static func tlsFix(_ reason: String, domain: String) -> String {
        if reason.contains("pin mismatch") { return "if the server's key changed on purpose, set [xmpp] pin_sha256 to the key above" }
        if reason.contains("not trusted") { return "set [xmpp] ca_file to the CA that issued the server's certificate" }
        if reason.contains("host name mismatch") { return "the server must present a certificate for \(domain), the JID's domain" }
        if reason.contains("expired") || reason.contains("not yet valid") { return "renew the certificate, or set the clock" }
        if reason.contains("does not offer TLS") { return "enable TLS on the server (Kinglet never logs in without it)" }
        return "check the server's TLS setup"
    }

    private func login(_ online: JID?, info: ConnectionInfo, failure: String) -> Finding {
        guard let online else {
            let fix = failure.contains("not-authorized")
                ? "check [xmpp] password or password_file, and that the account \(configuration.xmpp.jid.bare) exists"
                : "see the server's log"
            return .failed("login", failure, fix: fix)
        }
        return .ok("login", "online as \(online)" + (info.mechanism.map { " with \($0)" } ?? ""))
    }

    private func features(_ client: XMPPSession) async -> [Finding] {
        var findings: [Finding] = []
        if await client.streamManagementActive {
            findings.append(.ok("XEP-0198", "stream management on: a reading leaves the outbox once the server acknowledges it"))
        } else {
            findings.append(.failed(
                "XEP-0198", "the server does not offer stream management",
                fix: "enable it (Prosody: mod_smacks; ejabberd: mod_stream_mgmt); without it every publish waits for its answer and a cut stream cannot be resumed"))
        }
        findings.append(await publishing(client))
        if let room = configuration.fleet.room {
            let info = await discoInfo(client, of: room.domainJID)
            if info?.identities.contains(where: { $0.category == "conference" }) == true {
                findings.append(.ok("MUC", "\(room.domain) is a group chat service (room \(room))"))
            } else {
                findings.append(.failed("MUC", "\(room.domain) answers as no group chat service", fix: "check [fleet] room, or enable MUC on the server"))
            }
        }
        return findings
    }

    private func publishing(_ client: XMPPSession) async -> Finding {
        let publish = configuration.publish
        switch publish.mode {
        case .off:
            return .ok("publish", "off: readings stay in the outbox and its history")
        case .pep:
            let info = await discoInfo(client, of: configuration.xmpp.jid.bare)
            if info?.offersPEP == true {
                return .ok("PEP", "the account has PEP (XEP-0163)")
            }
            return .failed("PEP", "the server offers no PEP on \(configuration.xmpp.jid.bare)", fix: "enable PEP (Prosody: mod_pep), or set [publish] mode = \"pubsub\" or \"off\"")
        case .pubsub:
            let info = await discoInfo(client, of: publish.service)
            if info?.features.contains("http://jabber.org/protocol/pubsub") == true {
                return .ok("pubsub", "\(publish.service.map(\.description) ?? "?") is a pubsub service")
            }
            return .failed("pubsub", "\(publish.service.map(\.description) ?? "?") answers as no pubsub service", fix: "check [publish] service")
        }
    }

    private func discoInfo(_ client: XMPPSession, of jid: JID?) async -> DiscoInfo? {
        guard let jid else { return nil }
        let query = XMLElement("iq", namespace: Namespace.client, attributes: ["type": "get", "to": jid.description]) {
            XMLElement("query", namespace: DiscoInfo.namespace)
        }
        guard case .success(let reply) = await client.request(query, timeout: .seconds(10)) else { return nil }
        return reply.payload.flatMap(DiscoInfo.init)
    }
}
