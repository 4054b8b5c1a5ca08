package import Support
import Synchronization
package import XMLStream
import XMPPCore

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
        let lane: Lane = role == .operator ? .operators : role == .viewer ? .viewers : .strangers
        let verdict: RequestBudgets.Verdict
        if ownServer || (role != .stranger && !request.isRated) {
            verdict = .admit
        } else {
            let now = clock.now()
            verdict = budgets.withLock { $0.admit(access.consumer(from, role: role), at: now) }
        }
        switch verdict {
        case .admit where role != .stranger, .refuse where role == .stranger:
            // A stranger's refusal comes from the router, in the words it uses for everyone.
            if offer(stanza, to: lane) { return }
            await refuseBusy(stanza, request, from: from, role: role)
        case .admit:
            _ = offer(stanza, to: lane)
        case .refuse(let wait):
            await refuse(stanza, request, from: from, role: role, wait: wait)
        case .drop:
            refusals.refused("dropped \(request.what) from \(from) (over its budget)", from: from)
        }
    }

    /// Lets what is queued be handled, then ends the lanes.
    package func finish() async {
        for lane in lanes.values { await lane.finish() }
    }

    private func offer(_ stanza: XMLElement, to lane: Lane) -> Bool {
        let (router, afterEach) = (router, afterEach)
        return lanes[lane]?.offer {
            await router.route(stanza)
            await afterEach()
        } ?? false
    }

    /// The sender's lane is full: refused like a request over budget, a second from now.
    private func refuseBusy(_ stanza: XMLElement, _ request: Request, from: JID, role: Role) async {
        let now = clock.now()
        let answer = budgets.withLock { $0.answersRefusal(to: from, at: now) }
        guard answer else {
            refusals.refused("dropped \(request.what) from \(from) (the device is busy)", from: from)
            return
        }
        await refuse(stanza, request, from: from, role: role, wait: .seconds(1))
    }

    /// `resource-constraint` (wait) saying when to retry; for a chat message, a chat answer.
    private func refuse(_ stanza: XMLElement, _ request: Request, from: JID, role: Role, wait: Duration) async {
        let seconds = wait.secondsToWait
        refusals.refused("refused \(request.what) from \(from) (\(role)): too many requests; retry in \(seconds) s", from: from)
        switch request {
        case .iq:
            await sender.send(stanza.errorReply(StanzaError(.resourceConstraint, text: "too many requests: retry in \(seconds) s")))
        case .chat(let type):
            var reply = XMLElement("message", namespace: Namespace.client, attributes: ["type": type]) {
                XMLElement("body", text: "too many messages: I will answer again in \(seconds) s")
            }
            if let to = stanza.attribute("from") { reply.setAttribute("to", to) }
            await sender.send(reply)
        case .message, .presence:
            break  // nothing to answer
        }
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
