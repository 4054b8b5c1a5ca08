import Readings
package import Session
package import Store
package import Support
import XMLStream
import XMPPCore

/// Publishes the outbox: walks it forward while online, one PubSub item per batch, keeps at
/// most `window` publishes in flight, and acknowledges the store as they settle (see
/// `DeliveryWindow`). Nothing is deleted on sending: a cut, a crash or a refusal leads to a
/// resend from the outbox, never to a loss.
///
/// - Each publish is tagged with the batch's **last** sequence number (`StanzaTag`), so an
///   XEP-0198 ack names the point through which the outbox is done.
/// - A new stream without resumption sends again everything the server had not acknowledged;
///   batches taken while offline (or held after refusals, or sent again) carry `<delay/>`.
/// - Without XEP-0198 a publish settles on its IQ result.
/// - A refused publish stops the flow: `precondition-not-met` reconfigures the node, a missing
///   node is created, and anything else holds the readings and retries at a growing interval.
///
/// It wakes only for new outbox batches (`ReadingStore.updates()`), session events, answers
/// and its retry timer: an idle agent does not poll.
package actor Publisher {
    let configuration: PublishConfiguration
    let transport: any PublishTransport
    let store: ReadingStore
    /// The retry hold and the backlog's duration run on this clock.
    let clock: any AgentClock
    let log = Logger("publish")

    var window: DeliveryWindow
    /// Batches read from the outbox and not yet sent.
    private var readAhead: [ReadingBatch] = []
    private var readIndex = 0
    /// The highest sequence the store says can be read; nothing to read at or below the cursor.
    private var available: UInt64 = 0
    var online = false
    /// The node is known to exist with our configuration (or publish-options will see to it).
    var nodeReady = false
    /// Whether publishes carry publish-options (the service checks them as preconditions).
    var usesPublishOptions = false
    /// The service advertised publish-options but refused ours: configure the node directly.
    var publishOptionsRefused = false
    /// XEP-0198 is on for the current stream.
    private var tracking = false
    /// How many new streams (`.online(resumed: false)`) this publisher has seen: a publish is
    /// sent only on that stream, never on a newer one it has not rewound for yet.
    private var generation = 0
    /// Changes whenever the connection comes or goes: work begun before is stale.
    var epoch = 0
    /// Changes whenever the cursor moves back: batches read before are stale.
    private var rewinds = 0
    private var pumping = false
    private var pumpAgain = false
    /// Batches whose first reading is at or below this were not published live: they get `<delay/>`.
    private var delayedThrough: UInt64 = 0
    private var nextRequest: UInt64 = 0
    private var sentSinceAckRequest = 0
    /// Refusals in a row, and the timer that ends a hold.
    var failures = 0
    var lastFailure: String?
    var hold: Task<Void, Never>?
    private var recovering = false
    private var backlog: (from: UInt64, through: UInt64, since: Duration)?
    private var updatesTask: Task<Void, Never>?
    var setupTask: Task<Void, Never>?
    /// Session events posted by the agent, handled in order by `eventsTask`.
    private nonisolated let inbox: AsyncStream<SessionEvent>
    private nonisolated let inboxSink: AsyncStream<SessionEvent>.Continuation
    private var eventsTask: Task<Void, Never>?
    /// Session events and outbox updates taken and handled, for the agent's watchdog.
    package nonisolated let progress = ProgressMeter()

    package init(
        configuration: PublishConfiguration, transport: any PublishTransport, store: ReadingStore,
        clock: any AgentClock = SystemClock()
    ) {
        self.configuration = configuration
        self.transport = transport
        self.store = store
        self.clock = clock
        window = DeliveryWindow(capacity: configuration.window)
        (inbox, inboxSink) = AsyncStream.makeStream(of: SessionEvent.self)
    }

    /// Hands a session event over without waiting for it to be handled: the agent's one event
    /// loop must not wait behind outbox work (a commit's fsync) while a readout request waits.
    /// Events are handled in the order they were posted.
    package nonisolated func post(_ event: SessionEvent) {
        progress.begin()
        inboxSink.yield(event)
    }

    /// Starts listening to the outbox. Publishing begins at the first `.online` event.
    package func start() async {
        guard updatesTask == nil else { return }
        window = DeliveryWindow(capacity: configuration.window, settledThrough: await store.stats().acknowledgedThrough)
        let updates = await store.updates()
        updatesTask = Task { [weak self, progress] in
            for await through in updates {
                progress.begin()
                await self?.storeAdvanced(to: through)
                progress.finish()
            }
        }
        eventsTask = Task { [weak self, inbox, progress] in
            for await event in inbox {
                await self?.handle(event)
                progress.finish()
            }
        }
        log.info("publishing to node '\(configuration.node)' on \(configuration.target.address?.description ?? "the account (PEP)")")
    }

    /// Stops the timers and the outbox listener.
    package func stop() {
        updatesTask?.cancel()
        eventsTask?.cancel()
        setupTask?.cancel()
        hold?.cancel()
        hold = nil
        online = false
    }

    /// Feeds a session event: the agent passes every event but `.stanza`.
    package func handle(_ event: SessionEvent) async {
        switch event {
        case .online(_, let resumed): await wentOnline(resumed: resumed)
        case .offline: wentOffline()
        case .acknowledged(let tags): await acknowledged(tags)
        case .unacknowledged(let tags):
            log.info("\(tags.count) publishes were not acknowledged before the stream ended; they will be sent again with <delay/>")
        case .stanza: break
        }
    }

    // MARK: Session events

    private func wentOnline(resumed: Bool) async {
        epoch += 1
        let current = epoch
        online = true
        forgetReadAhead()
        if !resumed {
            generation += 1
            let dropped = window.restart()
            if dropped > 0 {
                log.debug("sending \(dropped) unacknowledged publishes again from #\(window.cursor + 1) (\(window.count) kept, settled through #\(window.settledThrough))")
            }
            nodeReady = false
            hold?.cancel()
            hold = nil
            tracking = await transport.streamManagementActive
            if !tracking { log.info("the server does not offer XEP-0198: a reading leaves the outbox when its publish is answered") }
        }
        let last = await store.lastSequence()
        guard current == epoch else { return }
        markBacklog(through: last)
        if nodeReady {
            await pump()
        } else {
            setupTask?.cancel()
            setupTask = Task { [weak self] in await self?.prepareNode(epoch: current) }
        }
    }

    private func wentOffline() {
        epoch += 1
        online = false
        forgetReadAhead()
    }

    private func acknowledged(_ tags: [StanzaTag]) async {
        guard let top = tags.map(\.value).max() else { return }
        let through = window.acknowledged(through: top)
        log.debug("acknowledged through #\(top): \(window.count) in flight, settled through #\(window.settledThrough)")
        await settled(through)
        await proceed()
    }

    /// The answer to one publish.
    private func answered(_ requestID: String, _ result: Result<XMLElement, RequestError>) async {
        let answer: DeliveryWindow.Answer
        switch result {
        case .success: answer = .published
        case .failure(.error(let error)): answer = .refused(error)
        case .failure(.timedOut), .failure(.offline): answer = .unknown
        }
        if answer == .published, failures > 0 {
            log.info("publishing again after \(failures) failed attempt\(failures == 1 ? "" : "s")")
            failures = 0
            lastFailure = nil
        }
        await settled(window.answered(requestID, answer))
        await proceed()
    }

    private func storeAdvanced(to through: UInt64) async {
        available = max(available, through)
        await pump()
    }

    /// After an ack or an answer: deal with a problem once the window is quiet, else send more.
    private func proceed() async {
        if window.problem != nil {
            if window.isQuiet, !recovering {
                recovering = true
                await recover()
                recovering = false
                await pump()  // unless recover() set a hold
            }
        } else {
            await pump()
        }
    }

    private func settled(_ through: UInt64?) async {
        guard let through else { return }
        await store.acknowledge(throughSequence: through)
        if let backlog, through >= backlog.through {
            let elapsed = clock.now() - backlog.since
            log.info("backlog published: readings #\(backlog.from + 1)–#\(backlog.through) in \(elapsed.secondsText)")
            self.backlog = nil
        }
    }

    /// Batches taken up to `through` were not published live: they carry `<delay/>`.
    func markBacklog(through last: UInt64) {
        guard last > delayedThrough else { return }
        delayedThrough = last
        let from = backlog?.from ?? window.settledThrough
        guard last > from else { return }
        backlog = (from, last, backlog?.since ?? clock.now())
        log.info("publishing the backlog: readings up to #\(last) carry <delay/>")
    }

    // MARK: Sending

    private var canSend: Bool {
        online && nodeReady && hold == nil && !recovering && window.problem == nil && !window.isFull
    }

    /// Sends while there is room and something to send. One pump at a time; a call made
    /// while it runs makes it look again before it stops.
    func pump() async {
        if pumping {
            pumpAgain = true
            return
        }
        pumping = true
        repeat {
            pumpAgain = false
            await fill()
        } while pumpAgain
        pumping = false
    }

    private func fill() async {
        await sendWhileThereIsRoom()
        // A full window waits for acks: ask for them now rather than when the session's pause
        // timer fires, or a server that answers before it acks would stall every window for
        // that long. Not after every refill of one slot, though: that would be an `<r/>` per publish.
        if tracking, online, window.isFull, sentSinceAckRequest >= max(1, configuration.window / 4) {
            sentSinceAckRequest = 0
            await transport.requestAcknowledgement()
        }
    }

    private func sendWhileThereIsRoom() async {
        while canSend {
            if readIndex == readAhead.count {
                guard window.cursor < available else { return }
                let mark = (epoch, rewinds)
                let batches: [ReadingBatch]
                do {
                    batches = try await store.pending(afterSequence: window.cursor, maxBatches: configuration.readBatches)
                } catch {
                    log.warning("cannot read the outbox: \(error); trying again at the next commit")
                    return
                }
                guard mark == (epoch, rewinds) else { continue }
                guard !batches.isEmpty else {
                    available = window.cursor  // nothing more until the store says so
                    return
                }
                readAhead = batches
                readIndex = 0
            }
            let batch = readAhead[readIndex]
            readIndex += 1
            // Refused: offline, or the session is on a stream this publisher has not seen the
            // `.online` event of yet. That event (or the next) starts the pump again.
            guard await publish(batch) else { return }
        }
    }

    /// Sends one batch; false when the transport refused it.
    private func publish(_ batch: ReadingBatch) async -> Bool {
        nextRequest += 1
        let requestID = "pub-\(batch.firstSequence)-\(nextRequest)"
        var iq = publishStanza(batch)
        iq.setAttribute("id", requestID)
        window.sent(first: batch.firstSequence, last: batch.lastSequence, requestID: requestID, tracked: tracking)
        let sent = await transport.sendRequest(
            iq, tag: StanzaTag(batch.lastSequence), timeout: configuration.requestTimeout, generation: generation
        ) {
            [weak self] result in
            Task { await self?.answered(requestID, result) }
        }
        if sent {
            sentSinceAckRequest += 1
        } else {
            window.unsend(requestID)
            forgetReadAhead()
        }
        return sent
    }

    /// The publish IQ for a batch; `<delay/>` when it was not taken live.
    func publishStanza(_ batch: ReadingBatch) -> XMLElement {
        let delay = batch.firstSequence <= delayedThrough
            ? batch.readings.first.map { Delay(stamp: $0.timestamp, from: configuration.account) } : nil
        return PubSubXML.publish(
            node: configuration.node, itemID: ReadingPayload.itemID(batch),
            payload: ReadingPayload.fields(batch, nodeID: configuration.nodeID, delay: delay),
            service: configuration.target.address, options: usesPublishOptions ? configuration.nodeConfiguration : nil)
    }

    /// The cursor moved back or the connection changed: batches read ahead are stale.
    func forgetReadAhead() {
        readAhead.removeAll()
        readIndex = 0
        rewinds += 1
    }

    // MARK: Problems

    /// The window is quiet and holds a problem: send again from it, after fixing the node or
    /// after a hold.
    private func recover() async {
        guard let entry = window.dropFromProblem() else { return }
        forgetReadAhead()
        guard case .refused(let error) = entry.answer else {
            log.warning("no answer to the publish of item \(entry.first); sending it again")
            return
        }
        let failure = PublishFailure(error)
        failures += 1
        if failures == 1, usesPublishOptions, PublishFailure.mayRefuseTheOptions(error) {
            await stopUsingPublishOptions(after: error)
            return
        }
        if failures == 1, failure == .preconditionNotMet || failure == .nodeMissing {
            let fixed = failure == .preconditionNotMet ? await configureNode(reason: "its configuration did not match (\(error))") : await createNode()
            if fixed { return }
        }
        holdAfter(error, item: entry.first, temporary: failure == .temporary)
    }

    /// Stops publishing for a while; the readings stay in the outbox.
    private func holdAfter(_ error: StanzaError, item: UInt64, temporary: Bool) {
        let base = temporary ? min(configuration.retryInitial, .seconds(1)) : configuration.retryInitial
        var delay = base
        for _ in 1..<min(failures, 20) where delay < configuration.retryMax { delay = delay * 2 }
        delay = min(delay, configuration.retryMax)
        let message = "publishing item \(item) to '\(configuration.node)' failed: \(error)"
        if message == lastFailure {
            log.debug(message + " (again); next try in \(delay.secondsText)")
        } else {
            log.error(message + "; the readings stay in the outbox, next try in \(delay.secondsText)")
            lastFailure = message
        }
        hold?.cancel()
        hold = clock.after(delay) { [weak self] in await self?.holdEnded() }
    }

    private func holdEnded() async {
        hold = nil
        markBacklog(through: await store.lastSequence())
        await pump()
    }
}
