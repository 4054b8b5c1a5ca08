package import Support
import Synchronization
package import XMLStream
package import XMPPCore

/// Takes every incoming stanza from the agent's loop and decides at once, without waiting on
/// any handler, what becomes of it: handled in its sender's lane, refused with an error that
/// says when to retry, or dropped and counted.
///
/// - Operators (and our own server), viewers and strangers have a lane each (`StanzaLane`), so
///   an operator's ping or control never waits behind viewers' readouts.
/// - Requests (IQ get/set, messages) of viewers and operators are rated per consumer and per
///   domain entry (`RequestBudgets`); over budget the sender gets a few `resource-constraint`
///   errors per window and the rest is dropped, so refusals never fill the link and the agent
///   keeps reading at line rate.
/// - Strangers only ever get refusals, and few of those: the rest is dropped.
/// - Every refusal is logged through one `RefusalLogger`: a line per sender and minute.
package final class StanzaDispatcher: Sendable {
    package enum Lane: Sendable, CaseIterable {
        case operators, viewers, strangers
    }

    private let router: StanzaRouter
    private let access: AccessPolicy
    private let sender: any StanzaSender
    private let budgets: Mutex<RequestBudgets>
    private let refusals: RefusalLogger
    private let clock: any AgentClock
    private let lanes: [Lane: StanzaLane]
    private let afterEach: @Sendable () async -> Void

    /// `afterEach` runs in the lane after each stanza is handled (the agent checks whether a
    /// restart was asked for, once the command's reply is queued).
    package init(
        router: StanzaRouter, access: AccessPolicy, sender: any StanzaSender, limits: ConsumerLimits = ConsumerLimits(),
        refusals: RefusalLogger, clock: any AgentClock = SystemClock(), afterEach: @escaping @Sendable () async -> Void = {}
    ) {
        self.router = router
        self.access = access
        self.sender = sender
        budgets = Mutex(RequestBudgets(policy: limits.requests, now: clock.now()))
        self.refusals = refusals
        self.clock = clock
        lanes = Dictionary(uniqueKeysWithValues: Lane.allCases.map { ($0, StanzaLane(capacity: limits.queuedStanzas)) })
        self.afterEach = afterEach
    }

    /// Stanzas queued or being handled in `lane`.
    package func count(in lane: Lane) -> Int { lanes[lane]?.count ?? 0 }

    package func dispatch(_ stanza: XMLElement) async {
        guard let from = router.sender(of: stanza), let request = Request(stanza) else { return }
        let ownServer = router.isOwnServer(from)
        let role = ownServer ? Role.operator : access.role(of: from)
        let rated = !ownServer && (role == .stranger || request.isRated)
        let (router, afterEach) = (router, afterEach)
        await admit(request.what, from: from, role: role, rated: rated) {
            await router.route(stanza)
            await afterEach()
        } refuse: { [sender] wait in
            await Self.refusal(of: stanza, request, wait: wait, sender: sender)
        }
    }

    /// A request that reached the device through someone else on its sender's behalf: a chat
    /// command through the fleet room, judged by the occupant's real JID. It takes the budget
    /// and the lane of that sender's own stanzas, so a room is no way around flow control.
    package struct RelayedRequest: Sendable {
        /// Who is asking: the real JID (or, where the room hides it, the occupant's JID).
        package let from: JID
        package let role: Role
        /// What it is, for the refusal log ("room message").
        package let what: String
        /// Carries it out, in the sender's lane (for a stranger: refuses it in its own words).
        package let handle: @Sendable () async -> Void
        /// Answers with `text` (over budget: when it will be answered again).
        package let refuse: @Sendable (_ text: String) async -> Void

        package init(
            from: JID, role: Role, what: String, handle: @escaping @Sendable () async -> Void,
            refuse: @escaping @Sendable (_ text: String) async -> Void
        ) {
            self.from = from
            self.role = role
            self.what = what
            self.handle = handle
            self.refuse = refuse
        }
    }

    package func dispatch(_ relayed: RelayedRequest) async {
        let afterEach = afterEach
        await admit(relayed.what, from: relayed.from, role: relayed.role, rated: true) {
            await relayed.handle()
            await afterEach()
        } refuse: { wait in
            await relayed.refuse(Self.tooManyMessages(wait: wait))
        }
    }

    /// Admits `work` into the sender's lane, refuses it (`refuse` answers, given when to retry)
    /// or drops it, by the sender's budget.
    private func admit(
        _ what: String, from: JID, role: Role, rated: Bool, work: @escaping @Sendable () async -> Void,
        refuse: @Sendable (Duration) async -> Void
    ) async {
        let lane: Lane = role == .operator ? .operators : role == .viewer ? .viewers : .strangers
        let verdict: RequestBudgets.Verdict
        if rated {
            let now = clock.now()
            verdict = budgets.withLock { $0.admit(access.consumer(from, role: role), at: now) }
        } else {
            verdict = .admit
        }
        switch verdict {
        case .admit where role != .stranger, .refuse where role == .stranger:
            // A stranger's refusal comes from the router, in the words it uses for everyone.
            if lanes[lane]?.offer(work) == true { return }
            await refuseBusy(what, from: from, role: role, refuse: refuse)
        case .admit:
            _ = lanes[lane]?.offer(work)
        case .refuse(let wait):
            log(what, from: from, role: role, wait: wait)
            await refuse(wait)
        case .drop:
            refusals.refused("dropped \(what) from \(from) (over its budget)", from: from)
        }
    }

    /// Lets what is queued be handled, then ends the lanes.
    package func finish() async {
        for lane in lanes.values { await lane.finish() }
    }

    /// The sender's lane is full: refused like a request over budget, a second from now.
    private func refuseBusy(_ what: String, from: JID, role: Role, refuse: @Sendable (Duration) async -> Void) async {
        let now = clock.now()
        let answer = budgets.withLock { $0.answersRefusal(to: from, at: now) }
        guard answer else {
            refusals.refused("dropped \(what) from \(from) (the device is busy)", from: from)
            return
        }
        log(what, from: from, role: role, wait: .seconds(1))
        await refuse(.seconds(1))
    }

    private func log(_ what: String, from: JID, role: Role, wait: Duration) {
        refusals.refused("refused \(what) from \(from) (\(role)): too many requests; retry in \(wait.secondsToWait) s", from: from)
    }

    /// `resource-constraint` (wait) saying when to retry; for a chat message, a chat answer.
    private static func refusal(of stanza: XMLElement, _ request: Request, wait: Duration, sender: any StanzaSender) async {
        switch request {
        case .iq:
            let text = "too many requests: retry in \(wait.secondsToWait) s"
            await sender.send(stanza.errorReply(StanzaError(.resourceConstraint, text: text)))
        case .chat(let type):
            var reply = XMLElement("message", namespace: Namespace.client, attributes: ["type": type]) {
                XMLElement("body", text: tooManyMessages(wait: wait))
            }
            if let to = stanza.attribute("from") { reply.setAttribute("to", to) }
            await sender.send(reply)
        case .message, .presence:
            break  // nothing to answer
        }
    }

    /// What a person over budget is told, in a chat.
    package static func tooManyMessages(wait: Duration) -> String {
        "too many messages: I will answer again in \(wait.secondsToWait) s"
    }

    /// What kind of stanza it is, as far as budgets care.
    private enum Request {
        /// An IQ get or set: a request that gets an answer.
        case iq(String)
        /// A chat or normal message with a body: a person's command.
        case chat(String)
        /// Any other message (chat states, XEP-0325 set by message): rated, never answered.
        case message
        case presence

        /// Nil for what no handler takes (IQ results and errors, error messages).
        init?(_ stanza: XMLElement) {
            switch (stanza.name, stanza.stanzaType) {
            case ("iq", "get"?), ("iq", "set"?): self = .iq(stanza.payload?.name ?? "iq")
            case ("iq", _), ("message", "error"?): return nil
            case ("message", let type):
                let type = type ?? "normal"
                self = (type == "chat" || type == "normal") && stanza.child("body") != nil ? .chat(type) : .message
            case ("presence", _): self = .presence
            default: return nil
            }
        }

        /// Contacts' presence is not rated (the lanes bound it); strangers' is, like all they send.
        var isRated: Bool {
            if case .presence = self { false } else { true }
        }

        var what: String {
            switch self {
            case .iq(let payload): "request \(payload)"
            case .chat, .message: "message"
            case .presence: "presence"
            }
        }
    }
}
