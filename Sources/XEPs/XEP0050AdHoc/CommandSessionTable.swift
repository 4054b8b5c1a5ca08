import XMPPCore

/// The running command sessions, with their expiry and bounds. A pure value: time comes in as
/// an argument (monotonic), ids from the caller.
///
/// A session expires `lifetime` after its last request; a request for it then gets
/// `session-expired` (XEP-0050 §4.6), and an id that was never handed out, or belongs to another
/// requester or command, gets `bad-sessionid`. Ids of expired sessions are remembered for a
/// while, in a bounded list, so that the requester learns why.
///
/// Open sessions are shares (`[limits] command_sessions`): per requester, per domain entry and
/// per role, operators having a pool of their own, so viewers opening sessions can never keep an
/// operator from running "Set a control".
struct CommandSessionTable: Sendable {
    let lifetime: Duration
    private var shares: ShareTable
    private var sessions: [String: CommandSession] = [:]
    /// Who holds the share of each open session.
    private var holders: [String: Consumer] = [:]
    /// Recently expired ids, oldest first.
    private var expired: [String] = []
    private let expiredMemory = 64

    init(lifetime: Duration = .seconds(600), shares: SharePolicy = ConsumerLimits().commandSessions) {
        self.lifetime = lifetime
        self.shares = ShareTable(shares)
    }

    var count: Int { sessions.count }

    /// Starts a session for `consumer` (by default `owner` as a viewer). Refused with
    /// `resource-constraint` when one of its shares is full of live sessions.
    mutating func open(
        id: String, node: String, owner: JID, as consumer: Consumer? = nil, stageCount: Int, now: Duration
    ) throws(StanzaError) -> CommandSession {
        sweep(now: now)
        let consumer = consumer ?? Consumer(jid: owner, role: .viewer)
        if let full = shares.acquire(consumer) {
            throw StanzaError(.resourceConstraint, text: "too many command sessions (\(full.reason)); finish or cancel one first")
        }
        let session = CommandSession(id: id, node: node, owner: owner, stageCount: stageCount, now: now)
        sessions[id] = session
        holders[id] = consumer
        return session
    }

    /// The session `id`, if it is `owner`'s session of `node` and has not expired; touching it
    /// restarts its lifetime.
    mutating func session(_ id: String, node: String, owner: JID, now: Duration) throws(StanzaError) -> CommandSession {
        sweep(now: now)
        guard var session = sessions[id], session.node == node, session.owner == owner else {
            if expired.contains(id) { throw AdHoc.Condition.sessionExpired.error("the command session expired") }
            throw AdHoc.Condition.badSessionID.error("no such command session")
        }
        session.lastActivity = now
        sessions[id] = session
        return session
    }

    /// Ends `owner`'s session `id` of `node`, live or recently expired: cancelling is always
    /// allowed (XEP-0050 §4.4), also just after the session timed out. An unknown id is
    /// `bad-sessionid`.
    mutating func cancel(_ id: String, node: String, owner: JID, now: Duration) throws(StanzaError) {
        sweep(now: now)
        if let session = sessions[id], session.node == node, session.owner == owner {
            close(id)
        } else if let index = expired.firstIndex(of: id) {
            expired.remove(at: index)
        } else {
            throw AdHoc.Condition.badSessionID.error("no such command session")
        }
    }

    /// Keeps the session's new state, unless it was closed or expired meanwhile.
    mutating func update(_ session: CommandSession) {
        guard sessions[session.id] != nil else { return }
        sessions[session.id] = session
    }

    mutating func close(_ id: String) {
        sessions[id] = nil
        if let holder = holders.removeValue(forKey: id) { shares.release(holder) }
    }

    /// Drops sessions idle for longer than their lifetime, remembering their ids.
    mutating func sweep(now: Duration) {
        let stale = sessions.values.filter { now - $0.lastActivity >= lifetime }.map(\.id).sorted()
        for id in stale {
            close(id)
            expired.append(id)
        }
        if expired.count > expiredMemory { expired.removeFirst(expired.count - expiredMemory) }
    }
}
