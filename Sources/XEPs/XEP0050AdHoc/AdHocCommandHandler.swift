import Support
import Synchronization
package import XMLStream
package import XMPPCore

/// XEP-0050 ad-hoc commands, so that ordinary clients (Gajim, Psi, Profanity) can drive the
/// device: "Read sensors" and "Device information" for viewers, "Set a control" and "Restart
/// agent" for operators. Also the disco provider of the commands node and of each command.
///
/// Sessions are kept per requester (full JID) with an id, and expire after ten idle minutes.
/// The router hands requests over one at a time, so a session is never advanced by two requests
/// at once.
package struct AdHocCommandHandler: IQHandler, DiscoNodeProvider {
    private let commands: [any AdHocCommand]
    private let table: SessionTable
    private let clock: any AgentClock
    private let ownJID: @Sendable () async -> JID?
    /// Which `[access]` domain entry a requester comes through, for the domain's share.
    private let access: AccessPolicy?

    /// `ownJID` gives the device's full JID for the disco items (the session's bound JID).
    /// Sessions are shares of `sessions` per requester, domain entry and role.
    package init(
        services: DeviceServices, lifecycle: any AgentLifecycle, sessionLifetime: Duration = .seconds(600),
        access: AccessPolicy? = nil, sessions: SharePolicy = ConsumerLimits().commandSessions,
        ownJID: @escaping @Sendable () async -> JID?
    ) {
        commands = [
            ReadSensorsCommand(services: services), SetControlCommand(services: services),
            DeviceInfoCommand(services: services), RestartAgentCommand(lifecycle: lifecycle, services: services),
        ]
        table = SessionTable(CommandSessionTable(lifetime: sessionLifetime, shares: sessions))
        clock = services.clock
        self.ownJID = ownJID
        self.access = access
    }

    package var payloadNamespaces: Set<String> { [AdHoc.namespace] }

    package var discoFeatures: [String] { [AdHoc.namespace, DataForm.namespace] }

    /// Viewers may run the read-only commands; operators all of them.
    package func requiredRole(for iq: XMLElement) -> Role {
        iq.payload?.attribute("node").flatMap(command(for:))?.requiredRole ?? .viewer
    }

    package func handle(_ iq: XMLElement, from: JID, role: Role) async -> XMLElement {
        guard iq.stanzaType == "set" else {
            return iq.errorReply(StanzaError(.badRequest, text: "commands are executed with iq type 'set'"))
        }
        do throws(StanzaError) {
            guard let payload = iq.payload else { throw StanzaError(.badRequest) }
            let request = try CommandRequest(parsing: payload)
            guard let command = command(for: request.node) else {
                throw StanzaError(.itemNotFound, text: "no command '\(request.node.prefix(64))'")
            }
            guard role >= command.requiredRole else { throw StanzaError(.forbidden) }
            let consumer = access?.consumer(from, role: role) ?? Consumer(jid: from, role: role)
            let response = try await respond(to: request, command: command, from: from, as: consumer)
            return iq.iqResult(response.element)
        } catch {
            return iq.errorReply(error)
        }
    }

    /// The number of open sessions (for tests and status).
    package var openSessions: Int { table.withLock { $0.count } }

    // MARK: The session state machine

    private func respond(
        to request: CommandRequest, command: any AdHocCommand, from: JID, as consumer: Consumer
    ) async throws(StanzaError) -> CommandResponse {
        guard let id = request.sessionID else { return try await start(command, request: request, from: from, as: consumer) }
        let now = clock.now()
        // Before the lookup: cancelling a session that just expired is still a cancel.
        if request.action == .cancel { return try cancel(id, of: command, from: from, now: now) }
        var session = try table.withLock { table throws(StanzaError) in
            try table.session(id, node: command.node, owner: from, now: now)
        }
        switch try session.move(for: request.action) {
        case .cancel:
            return try cancel(id, of: command, from: from, now: now)
        case .back:
            session.goBack()
            table.withLock { $0.update(session) }
            return await show(command, session)
        case .forward(let final):
            guard let form = request.form else {
                throw AdHoc.Condition.badPayload.error("submit the form to go on")
            }
            session.record(form)
            return await forward(command, session, form: form, final: final, from: from)
        }
    }

    private func cancel(_ id: String, of command: any AdHocCommand, from: JID, now: Duration) throws(StanzaError) -> CommandResponse {
        try table.withLock { table throws(StanzaError) in try table.cancel(id, node: command.node, owner: from, now: now) }
        return CommandResponse(node: command.node, sessionID: id, status: .canceled)
    }

    private func start(
        _ command: any AdHocCommand, request: CommandRequest, from: JID, as consumer: Consumer
    ) async throws(StanzaError) -> CommandResponse {
        if let action = request.action, action != .execute {
            throw AdHoc.Condition.badSessionID.error("'\(action.rawValue)' needs a session id")
        }
        let id = Self.newSessionID()
        guard command.stageCount > 0 else {
            return await finish(command, id: id, outcome: command.complete(submitted: [], requester: from))
        }
        let now = clock.now()
        let session = try table.withLock { table throws(StanzaError) in
            try table.open(id: id, node: command.node, owner: from, as: consumer, stageCount: command.stageCount, now: now)
        }
        return await show(command, session)
    }

    private func forward(
        _ command: any AdHocCommand, _ session: CommandSession, form: DataForm, final: Bool, from: JID
    ) async -> CommandResponse {
        var session = session
        if !final {
            if let problem = await command.check(stage: session.stage, form: form, submitted: session.submitted) {
                table.withLock { $0.update(session) }
                return await show(command, session, note: .error(problem))
            }
            session.advance()
            table.withLock { $0.update(session) }
            return await show(command, session)
        }
        let outcome = await command.complete(submitted: session.submitted.map { $0 ?? DataForm(.submit) }, requester: from)
        if case .retry(let problem) = outcome {
            table.withLock { $0.update(session) }
            return await show(command, session, note: .error(problem))
        }
        table.withLock { $0.close(session.id) }
        return finish(command, id: session.id, outcome: outcome)
    }

    private func show(_ command: any AdHocCommand, _ session: CommandSession, note: CommandResponse.Note? = nil) async -> CommandResponse {
        let form = await command.form(stage: session.stage, submitted: session.submitted)
        return CommandResponse(
            node: command.node, sessionID: session.id, status: .executing, actions: session.actions,
            notes: note.map { [$0] } ?? [], form: form)
    }

    private func finish(_ command: any AdHocCommand, id: String, outcome: CommandOutcome) -> CommandResponse {
        switch outcome {
        case .completed(let notes, let form):
            return CommandResponse(node: command.node, sessionID: id, status: .completed, notes: notes, form: form)
        case .retry(let problem):
            // Only a command with stages retries; one without has no form to show again.
            return CommandResponse(node: command.node, sessionID: id, status: .completed, notes: [.error(problem)])
        }
    }

    private func command(for node: String) -> (any AdHocCommand)? {
        commands.first { $0.node == node }
    }

    /// 64 random bits in hex: unique, and not guessable by someone else's client.
    private static func newSessionID() -> String {
        var generator = SystemRandomNumberGenerator()
        let bits = generator.next() as UInt64
        return Hex.encode(withUnsafeBytes(of: bits.bigEndian) { Array($0) })
    }

    // MARK: DiscoNodeProvider (every info answer names disco#info, as XEP-0030 §3.1 requires)

    package func discoItems(node: String, for requester: JID, role: Role) async -> [DiscoItem]? {
        guard node == AdHoc.namespace else { return nil }
        guard let own = await ownJID() else { return [] }
        return commands.filter { role >= $0.requiredRole }.map { DiscoItem(jid: own, node: $0.node, name: $0.name) }
    }

    package func discoInfo(node: String, for requester: JID, role: Role) async -> (identities: [DiscoIdentity], features: [String])? {
        if node == AdHoc.namespace {
            return ([DiscoIdentity(category: "automation", type: "command-list", name: "Commands")], [DiscoInfo.namespace, AdHoc.namespace])
        }
        guard let command = command(for: node), role >= command.requiredRole else { return nil }
        return (
            [DiscoIdentity(category: "automation", type: "command-node", name: command.name)],
            [DiscoInfo.namespace, AdHoc.namespace, DataForm.namespace]
        )
    }
}

/// The session table behind a lock, shared by every copy of the handler.
private final class SessionTable: Sendable {
    private let state: Mutex<CommandSessionTable>

    init(_ table: CommandSessionTable) {
        state = Mutex(table)
    }

    func withLock<T, E: Error>(_ body: (inout CommandSessionTable) throws(E) -> T) throws(E) -> T {
        try state.withLock { table throws(E) in try body(&table) }
    }
}
