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

    /// What the publisher decides (window, connection, node, refusals, holds): made there,
    /// carried out here.
    var flow: PublishFlow
    /// Batches read from the outbox and not yet sent.
    private var readAhead: [ReadingBatch] = []
    private var readIndex = 0
    /// Changes whenever the cursor moves back: batches read before are stale.
    private var rewinds = 0
    private var pumping = false
    private var pumpAgain = false
    /// The timer that ends a hold.
    private var hold: Task<Void, Never>?
    private var updatesTask: Task<Void, Never>?
    var setupTask: Task<Void, Never>?
    /// Session events posted by the agent, handled in order by `eventsTask`.
    private nonisolated let inbox = EventChannel<SessionEvent>()
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
        flow = PublishFlow(Self.flowSettings(configuration))
    }

    /// Hands a session event over without waiting for it to be handled: the agent's one event
    /// loop must not wait behind outbox work (a commit's fsync) while a readout request waits.
    /// Events are handled in the order they were posted.
    package nonisolated func post(_ event: SessionEvent) {
        progress.begin()
        inbox.yield(event)
    }

    /// Starts listening to the outbox. Publishing begins at the first `.online` event.
    package func start() async {
        guard updatesTask == nil else { return }
        flow = PublishFlow(Self.flowSettings(configuration), settledThrough: await store.stats().acknowledgedThrough)
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
    package func stop() async {
        updatesTask?.cancel()
        eventsTask?.cancel()
        setupTask?.cancel()
        hold?.cancel()
        hold = nil
        await perform(flow.wentOffline())
    }

    private static func flowSettings(_ configuration: PublishConfiguration) -> PublishFlow.Settings {
        PublishFlow.Settings(
            window: configuration.window, retryInitial: configuration.retryInitial, retryMax: configuration.retryMax,
            node: configuration.node, requestTimeout: configuration.requestTimeout)
    }

    /// Feeds a session event: the agent passes every event but `.stanza`.
    package func handle(_ event: SessionEvent) async {
        switch event {
        case .online(_, let resumed): await wentOnline(resumed: resumed)
        case .offline: await wentOffline()
        case .acknowledged(let tags): await acknowledged(tags)
        case .unacknowledged(let tags):
            log.info("\(tags.count) publishes were not acknowledged before the stream ended; they will be sent again with <delay/>")
        case .stanza: break
        }
    }

    // MARK: Session events

    private func wentOnline(resumed: Bool) async {
        let streamManagement = resumed ? flow.tracking : await transport.streamManagementActive
        await perform(flow.wentOnline(resumed: resumed, streamManagement: streamManagement))
        let current = flow.epoch
        let last = await store.lastSequence()
        await perform(flow.outboxKnown(lastSequence: last, epoch: current, at: clock.now()))
    }

    private func wentOffline() async {
        await perform(flow.wentOffline())
    }

    private func acknowledged(_ tags: [StanzaTag]) async {
        guard let top = tags.map(\.value).max() else { return }
        await perform(flow.acknowledged(through: top, at: clock.now()))
    }

    /// The answer to one publish.
    private func answered(_ requestID: String, _ result: Result<XMLElement, RequestError>) async {
        await perform(flow.answered(requestID, result, at: clock.now()))
    }

    private func storeAdvanced(to through: UInt64) async {
        await perform(flow.storeAdvanced(to: through))
    }

    /// Carries out what the flow decided, in order.
    func perform(_ actions: [PublishFlow.Action]) async {
        for action in actions {
            switch action {
            case .log(let level, let message): log.log(level) { message }
            case .acknowledgeStore(let through): await store.acknowledge(throughSequence: through)
            case .forgetReadAhead: forgetReadAhead()
            case .pump: await pump()
            case .prepareNode(let epoch):
                setupTask?.cancel()
                setupTask = Task { [weak self] in await self?.prepareNode(epoch: epoch) }
            case .recover: await recover()
            case .armHold(let delay):
                // Drawn from [delay/2, delay]: devices a server refused together (ejabberd aborts
                // concurrent node creations) must not all come back at the same moment again.
                let wait = delay / 2 + (delay / 2) * Double.random(in: 0...1)
                hold = clock.after(wait) { [weak self] in await self?.holdEnded() }
            case .cancelHold:
                hold?.cancel()
                hold = nil
            case .requestAcknowledgement: await transport.requestAcknowledgement()
            }
        }
    }

    // MARK: Sending

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
            await sendWhileThereIsRoom()
            await perform(flow.stoppedSending())
        } while pumpAgain
        pumping = false
    }

    private func sendWhileThereIsRoom() async {
        while flow.canSend {
            if readIndex == readAhead.count {
                guard flow.window.cursor < flow.available else { return }
                let mark = (flow.epoch, rewinds)
                let batches: [ReadingBatch]
                do {
                    batches = try await store.pending(afterSequence: flow.window.cursor, maxBatches: configuration.readBatches)
                } catch {
                    log.warning("cannot read the outbox: \(error); trying again at the next commit")
                    return
                }
                guard mark == (flow.epoch, rewinds) else { continue }
                guard !batches.isEmpty else {
                    flow.outboxExhausted()
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
        let (requestID, delayed) = flow.sending(first: batch.firstSequence, last: batch.lastSequence)
        var iq = publishStanza(batch, delayed: delayed)
        iq.setAttribute("id", requestID)
        let sent = await transport.sendRequest(
            iq, tag: StanzaTag(batch.lastSequence), timeout: configuration.requestTimeout, generation: flow.generation
        ) {
            [weak self] result in
            Task { await self?.answered(requestID, result) }
        }
        if sent {
            flow.sent()
        } else {
            await perform(flow.notSent(requestID))
        }
        return sent
    }

    /// The publish IQ for a batch; `<delay/>` when it was not taken live.
    func publishStanza(_ batch: ReadingBatch, delayed: Bool) -> XMLElement {
        let delay = delayed ? batch.readings.first.map { Delay(stamp: $0.timestamp, from: configuration.account) } : nil
        return PubSubXML.publish(
            node: configuration.node, itemID: ReadingPayload.itemID(batch),
            payload: ReadingPayload.fields(batch, nodeID: configuration.nodeID, delay: delay),
            service: configuration.service, options: flow.usesPublishOptions ? configuration.nodeConfiguration : nil)
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
        guard let (recovery, first) = flow.beginRecovery() else { return }
        await perform(first)
        switch recovery {
        case .resend:
            break
        case .stopUsingPublishOptions(let error):
            await stopUsingPublishOptions(after: error)
        case .configureNode(let error, let item):
            if !(await configureNode(reason: "its configuration did not match (\(error))")) {
                await perform(flow.nodeNotFixed(error, item: item))
            }
        case .createNode(let error, let item):
            if !(await createNode()) { await perform(flow.nodeNotFixed(error, item: item)) }
        case .hold(let actions):
            await perform(actions)
        }
        await perform(flow.recoveryEnded())
    }

    private func holdEnded() async {
        hold = nil
        let last = await store.lastSequence()
        await perform(flow.holdEnded(lastSequence: last, at: clock.now()))
    }
}
