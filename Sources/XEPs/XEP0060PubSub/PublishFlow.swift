package import Session
package import Support
package import XMLStream
package import XMPPCore

/// The publisher's decisions as a pure value: when it may send, what a session event or an
/// answer changes, how a refused publish is recovered from, how long a hold lasts, when to ask
/// for acks, and which batches carry `<delay/>`. `Publisher` feeds it events (with the time,
/// from its clock) and carries out the actions it returns: the outbox reads and
/// acknowledgements, the sends, the node set-up requests and the hold timer.
///
/// The publishes in flight are a `DeliveryWindow`; this adds the connection around it: online
/// or not, which stream (`generation`), whether XEP-0198 tracks publishes, whether the node is
/// ready, and the refusals in a row.
package struct PublishFlow: Sendable {
    package enum Action: Sendable, Equatable {
        case log(LogLevel, String)
        /// Every reading up to here has settled: acknowledge it in the outbox.
        case acknowledgeStore(through: UInt64)
        /// Batches read ahead from the outbox are stale (the cursor moved back, the connection changed).
        case forgetReadAhead
        /// Send while there is room.
        case pump
        /// Make the node ready for this connection (`epoch`), then pump (again after a hold
        /// that a failed set-up began).
        case prepareNode(epoch: Int)
        /// Deal with the problem at the window's head (`beginRecovery`), then pump.
        case recover
        /// Stop publishing for this long; then call `holdEnded`.
        case armHold(Duration)
        case cancelHold
        /// Ask the server for an XEP-0198 ack now.
        case requestAcknowledgement
    }

    /// What to do about the refused or unanswered publish at the head of a quiet window.
    package enum Recovery: Sendable, Equatable {
        /// Send it again at once (its answer was lost).
        case resend
        /// The service may have refused our publish-options: configure the node and stop sending them.
        case stopUsingPublishOptions(StanzaError)
        /// Configure the node as its owner (`precondition-not-met`), then send again; hold if that fails.
        case configureNode(StanzaError, item: UInt64)
        /// Create the node (`item-not-found`), then send again; hold if that fails.
        case createNode(StanzaError, item: UInt64)
        /// Hold the readings and try again later.
        case hold([Action])
    }

    package struct Settings: Sendable {
        package var window: Int
        package var retryInitial: Duration
        package var retryMax: Duration
        /// The node's name, for log lines.
        package var node: String
        /// How long a publish waits for its answer, for log lines.
        package var requestTimeout: Duration = .seconds(30)
    }

    let settings: Settings
    package private(set) var window: DeliveryWindow
    /// The highest sequence the store says can be read; nothing to read at or below the cursor.
    package private(set) var available: UInt64 = 0
    package private(set) var online = false
    /// The node is known to exist with our configuration (or publish-options will see to it).
    package var nodeReady = false
    /// Whether publishes carry publish-options (the service checks them as preconditions).
    package var usesPublishOptions = false
    /// The service advertised publish-options but refused ours: configure the node directly.
    package var publishOptionsRefused = false
    /// XEP-0198 is on for the current stream.
    package private(set) var tracking = false
    /// How many new streams (`.online(resumed: false)`) this publisher has seen: a publish is
    /// sent only on that stream, never on a newer one it has not rewound for yet.
    package private(set) var generation = 0
    /// Changes whenever the connection comes or goes: work begun before is stale.
    package private(set) var epoch = 0
    /// Batches whose first reading is at or below this were not published live: they get `<delay/>`.
    package private(set) var delayedThrough: UInt64 = 0
    package private(set) var holding = false
    package private(set) var recovering = false
    /// Refusals (and publishes left unanswered, and failed node set-ups) in a row. While there
    /// are any, one publish at a time goes out: a probe, not the whole window again.
    package private(set) var failures = 0
    /// The account's server was found to have no PEP; said once, not on every new stream.
    package private(set) var saidNoPEP = false
    private var lastFailure: String?
    private var nextRequest: UInt64 = 0
    private var sentSinceAckRequest = 0
    /// Readings published late (taken offline, held, sent again), for one log line when done.
    private var backlog: (from: UInt64, through: UInt64, since: Duration)?

    package init(_ settings: Settings, settledThrough: UInt64 = 0) {
        self.settings = settings
        window = DeliveryWindow(capacity: settings.window, settledThrough: settledThrough)
    }

    /// Online, the node ready, no hold, no recovery, no problem in the window and room in it
    /// (after a failure, room for one).
    package var canSend: Bool {
        online && nodeReady && !holding && !recovering && window.problem == nil && !window.isFull
            && (failures == 0 || window.isEmpty)
    }

    // MARK: Session events

    /// The session is online. On a new stream (not resumed) what the server had not
    /// acknowledged is sent again, the node is set up again, and a hold ends.
    package mutating func wentOnline(resumed: Bool, streamManagement: Bool) -> [Action] {
        epoch += 1
        online = true
        var actions: [Action] = [.forgetReadAhead]
        guard !resumed else { return actions }
        generation += 1
        let dropped = window.restart()
        if dropped > 0 {
            actions.append(.log(.debug, "sending \(dropped) unacknowledged publishes again from #\(window.cursor + 1) (\(window.count) kept, settled through #\(window.settledThrough))"))
        }
        nodeReady = false
        if holding {
            holding = false
            actions.append(.cancelHold)
        }
        tracking = streamManagement
        if !tracking { actions.append(.log(.info, "the server does not offer XEP-0198: a reading leaves the outbox when its publish is answered")) }
        return actions
    }

    /// After `wentOnline`: the outbox's last sequence when the connection (`epoch`) came up.
    /// What was taken before goes out with `<delay/>`; then the node is set up, or sending starts.
    package mutating func outboxKnown(lastSequence: UInt64, epoch current: Int, at now: Duration) -> [Action] {
        guard current == epoch else { return [] }
        return markBacklog(through: lastSequence, at: now) + [nodeReady ? .pump : .prepareNode(epoch: current)]
    }

    package mutating func wentOffline() -> [Action] {
        epoch += 1
        online = false
        return [.forgetReadAhead]
    }

    /// XEP-0198 acknowledged the publishes up to `top` (a tag: a batch's last sequence).
    package mutating func acknowledged(through top: UInt64, at now: Duration) -> [Action] {
        let through = window.acknowledged(through: top)
        let line = Action.log(.debug, "acknowledged through #\(top): \(window.count) in flight, settled through #\(window.settledThrough)")
        return [line] + settled(through, at: now) + proceed()
    }

    /// The answer to one publish arrived (or never will: time-out, stream gone).
    package mutating func answered(_ requestID: String, _ result: Result<XMLElement, RequestError>, at now: Duration) -> [Action] {
        let answer: DeliveryWindow.Answer
        switch result {
        case .success: answer = .published
        case .failure(.error(let error)): answer = .refused(error)
        case .failure(.timedOut): answer = .unanswered
        case .failure(.offline): answer = .unknown
        }
        var actions: [Action] = []
        if answer == .published, failures > 0 {
            actions.append(.log(.info, "publishing again after \(failures) failed attempt\(failures == 1 ? "" : "s")"))
            failures = 0
            lastFailure = nil
        }
        return actions + settled(window.answered(requestID, answer), at: now) + proceed()
    }

    /// The store has batches up to `through`.
    package mutating func storeAdvanced(to through: UInt64) -> [Action] {
        available = max(available, through)
        return [.pump]
    }

    /// A read found nothing after the cursor: nothing more until the store says so.
    package mutating func outboxExhausted() {
        available = window.cursor
    }

    // MARK: Sending

    /// A publish of the readings `first...last` is about to go out: its request id, and
    /// whether it carries `<delay/>`.
    package mutating func sending(first: UInt64, last: UInt64) -> (requestID: String, delayed: Bool) {
        nextRequest += 1
        let requestID = "pub-\(first)-\(nextRequest)"
        window.sent(first: first, last: last, requestID: requestID, tracked: tracking)
        return (requestID, first <= delayedThrough)
    }

    /// The transport took the publish.
    package mutating func sent() {
        sentSinceAckRequest += 1
    }

    /// The transport refused the publish (offline, or a newer stream): take it back.
    package mutating func notSent(_ requestID: String) -> [Action] {
        window.unsend(requestID)
        return [.forgetReadAhead]
    }

    /// The window is as full as it gets for now. Ask for acks at once rather than when the
    /// session's pause timer fires (a server that answers before it acks would stall every
    /// window for that long), but not after every refill of one slot: that would be an `<r/>`
    /// per publish.
    package mutating func stoppedSending() -> [Action] {
        guard tracking, online, window.isFull, sentSinceAckRequest >= max(1, settings.window / 4) else { return [] }
        sentSinceAckRequest = 0
        return [.requestAcknowledgement]
    }

    // MARK: Problems

    /// After an ack or an answer: deal with a problem once the window is quiet, else send more.
    private func proceed() -> [Action] {
        guard window.problem != nil else { return [.pump] }
        return window.isQuiet && !recovering ? [.recover] : []
    }

    /// The window is quiet and holds a problem: forget it and everything after it, and say
    /// how to go on. Nil when there is nothing to recover from. Call `recoveryEnded` after.
    package mutating func beginRecovery() -> (Recovery, [Action])? {
        guard window.isQuiet, !recovering, let entry = window.dropFromProblem() else { return nil }
        recovering = true
        if entry.answer == .unanswered {
            failures += 1
            let message = "publishing item \(entry.first) to '\(settings.node)' got no answer within \(settings.requestTimeout.secondsText)"
            return (.hold(hold(message, temporary: false)), [.forgetReadAhead])
        }
        guard case .refused(let error) = entry.answer else {
            return (.resend, [.forgetReadAhead, .log(.warning, "no answer to the publish of item \(entry.first); sending it again")])
        }
        failures += 1
        let failure = PublishFailure(error)
        if failures == 1, usesPublishOptions, PublishFailure.mayRefuseTheOptions(error) {
            return (.stopUsingPublishOptions(error), [.forgetReadAhead])
        }
        if failures == 1, failure == .preconditionNotMet { return (.configureNode(error, item: entry.first), [.forgetReadAhead]) }
        // Not only on the first refusal: a creation the server failed (ejabberd's cluster aborts
        // concurrent ones) must be tried again after the hold, or nothing is ever published.
        if failure == .nodeMissing { return (.createNode(error, item: entry.first), [.forgetReadAhead]) }
        return (.hold(hold(after: error, item: entry.first, temporary: failure == .temporary)), [.forgetReadAhead])
    }

    /// Configuring or creating the node did not help: hold.
    package mutating func nodeNotFixed(_ error: StanzaError, item: UInt64) -> [Action] {
        hold(after: error, item: item, temporary: false)
    }

    /// The node could not be made safe to publish to (`problem` says why, e.g. a whitelist that
    /// cannot be shown to be enforced): publish nothing, and set it up again after a hold.
    package mutating func nodeSetupFailed(_ problem: String) -> [Action] {
        failures += 1
        return hold(problem, temporary: false)
    }

    /// The account's disco#info shows no PEP service: nothing can be published on this stream
    /// (a new stream looks again). Said once as an error naming the settings that would help.
    package mutating func accountLacksPEP(_ account: JID) -> [Action] {
        let line = "the server of \(account) offers no PEP (its disco#info has no pubsub/pep identity): "
            + "readings stay in the outbox and in history; set [publish] mode = \"pubsub\" with the service "
            + "= \"pubsub.…\" of a pubsub service, or mode = \"off\""
        defer { saidNoPEP = true }
        return [.log(saidNoPEP ? .debug : .error, line)]
    }

    package mutating func recoveryEnded() -> [Action] {
        recovering = false
        return [.pump]  // does nothing while a hold lasts
    }

    /// Stops publishing for a while; the readings stay in the outbox. The wait doubles with
    /// each refusal in a row up to `retryMax`; a temporary refusal starts at one second at most.
    private mutating func hold(after error: StanzaError, item: UInt64, temporary: Bool) -> [Action] {
        hold("publishing item \(item) to '\(settings.node)' failed: \(error)", temporary: temporary)
    }

    private mutating func hold(_ message: String, temporary: Bool) -> [Action] {
        let base = temporary ? min(settings.retryInitial, .seconds(1)) : settings.retryInitial
        var delay = base
        for _ in 1..<min(max(failures, 1), 20) where delay < settings.retryMax { delay = delay * 2 }
        delay = min(delay, settings.retryMax)
        let line: Action
        if message == lastFailure {
            line = .log(.debug, message + " (again); next try in \(delay.secondsText)")
        } else {
            line = .log(.error, message + "; the readings stay in the outbox, next try in \(delay.secondsText)")
            lastFailure = message
        }
        holding = true
        return [line, .cancelHold, .armHold(delay)]
    }

    /// The hold is over; `lastSequence` is the outbox's newest reading, which goes out late.
    /// A node whose set-up failed is set up again first.
    package mutating func holdEnded(lastSequence: UInt64, at now: Duration) -> [Action] {
        guard holding else { return [] }  // a new stream ended it already
        holding = false
        return markBacklog(through: lastSequence, at: now) + [nodeReady ? .pump : .prepareNode(epoch: epoch)]
    }

    // MARK: The backlog

    private mutating func settled(_ through: UInt64?, at now: Duration) -> [Action] {
        guard let through else { return [] }
        var actions: [Action] = [.acknowledgeStore(through: through)]
        if let backlog, through >= backlog.through {
            actions.append(.log(.info, "backlog published: readings #\(backlog.from + 1)–#\(backlog.through) in \((now - backlog.since).secondsText)"))
            self.backlog = nil
        }
        return actions
    }

    /// Batches taken up to `last` were not published live: they carry `<delay/>`.
    private mutating func markBacklog(through last: UInt64, at now: Duration) -> [Action] {
        guard last > delayedThrough else { return [] }
        delayedThrough = last
        let from = backlog?.from ?? window.settledThrough
        guard last > from else { return [] }
        backlog = (from, last, backlog?.since ?? now)
        return [.log(.info, "publishing the backlog: readings up to #\(last) carry <delay/>")]
    }
}
