package import Devices
import Readings
import Session
package import Store
package import Support
package import XMLStream
package import XMPPCore

/// XEP-0323, device side: answers `<req/>` with `<accepted/>` and then sends the readings as
/// `<fields/>` messages (sources that failed as `<failure/>`), the last one `done`; `<cancel/>`
/// stops a scheduled readout. The device is one node, `nodeID`. Viewers and operators may
/// read; the router refuses everyone else.
///
/// No consumer can take the device over: readouts in progress and scheduled readouts are shares
/// (`ConsumerLimits`) per requester, per domain entry and per role, operators having a pool of
/// their own; over a share the request gets `resource-constraint` saying why. Answers leave as
/// the link drains (`StanzaSender.waitForBulkRoom`), history a page at a time, so a readout of
/// a thousand stored readings holds one page in memory, never the whole answer.
package struct SensorDataHandler: IQHandler {
    /// How far ahead a readout may be scheduled with `when`.
    package static let longestDelay = Duration.seconds(24 * 3600)

    /// Where the data messages go: the session in the agent, a recorder in tests.
    private let sender: any StanzaSender
    private let device: Device
    private let store: ReadingStore
    private let nodeID: String
    private let clock: any AgentClock
    private let access: AccessPolicy?
    private let limits: ConsumerLimits
    private let queue: ReadoutQueue
    private let inProgress: ShareCounter
    private let refusals: RefusalLogger
    private let log = Logger("readout")

    /// `access` tells which `[access]` domain entry a requester comes through (for the domain's
    /// share); without it every requester counts on its own.
    package init(
        sender: any StanzaSender, device: Device, store: ReadingStore, nodeID: String, access: AccessPolicy? = nil,
        limits: ConsumerLimits = ConsumerLimits(), refusals: RefusalLogger? = nil, clock: any AgentClock = SystemClock()
    ) {
        self.sender = sender
        self.device = device
        self.store = store
        self.nodeID = nodeID
        self.clock = clock
        self.access = access
        self.limits = limits
        queue = ReadoutQueue(policy: limits.scheduledReadouts, clock: clock)
        inProgress = ShareCounter(limits.readouts)
        self.refusals = refusals ?? RefusalLogger(clock: clock)
    }

    package var payloadNamespaces: Set<String> { [SensorDataXML.namespace] }

    package func requiredRole(for iq: XMLElement) -> Role { .viewer }

    package func handle(_ iq: XMLElement, from: JID, role: Role) async -> XMLElement {
        guard iq.stanzaType == "get", let payload = iq.payload else {
            return iq.errorReply(StanzaError(.badRequest, text: "XEP-0323 requests are iq get"))
        }
        do throws(StanzaError) {
            switch payload.name {
            case "req": return iq.iqResult(try await accept(try ReadoutRequest(payload), from: from, role: role))
            case "cancel": return iq.iqResult(try await cancel(payload, from: from, role: role))
            default: throw StanzaError(.featureNotImplemented, text: "unknown request \(payload.name)")
            }
        } catch {
            refusals.refused("refused \(payload.name) from \(from): \(error)", from: from)
            return iq.errorReply(error)
        }
    }

    /// Checks a request and takes its share: of readouts in progress, or of scheduled ones.
    private func accept(_ request: ReadoutRequest, from: JID, role: Role) async throws(StanzaError) -> XMLElement {
        try check(request)
        let consumer = self.consumer(from, role: role)
        var accepted = XMLElement("accepted", namespace: SensorDataXML.namespace, attributes: ["seqnr": request.seqnr])
        if delay(of: request) != nil {
            if let full = await queue.reserve(key(request, from), for: consumer, due: request.when) {
                throw StanzaError(.resourceConstraint, text: "too many scheduled readouts (\(full.reason)); cancel one or wait until one has run")
            }
            accepted.setAttribute("queued", "true")
        } else if let full = inProgress.acquire(consumer) {
            throw StanzaError(.resourceConstraint, text: "too many readouts in progress (\(full.reason)); try again when one is done")
        }
        return accepted
    }

    /// `cancel` is idempotent: after `cancelled` nothing more arrives for this seqnr, whether a
    /// scheduled readout was waiting or had already been sent. An operator's cancel of a number
    /// they have not scheduled stops every waiting readout of that number, whoever asked.
    private func cancel(_ payload: XMLElement, from: JID, role: Role) async throws(StanzaError) -> XMLElement {
        guard let seqnr = payload.attribute("seqnr") else { throw StanzaError(.badRequest, text: "cancel needs a seqnr") }
        let own = await queue.cancel(ReadoutQueue.Key(requester: from.description, seqnr: seqnr))
        if !own, role == .operator {
            for stopped in await queue.cancelAll(seqnr: seqnr) {
                log.info("\(from) cancelled the readout \(seqnr) scheduled by \(stopped.key.requester)")
            }
        }
        return XMLElement("cancelled", namespace: SensorDataXML.namespace, attributes: ["seqnr": seqnr])
    }

    /// Sends the data once `accepted` is on its way, or schedules it for `when`. The sending
    /// runs on its own task, so the requester's next stanzas are not held up behind it.
    package func afterReply(_ reply: XMLElement, to iq: XMLElement, from: JID, role: Role) async {
        guard reply.stanzaType == "result", let payload = iq.payload, payload.name == "req",
            let request = try? ReadoutRequest(payload)
        else { return }
        // What `accepted` promised decides: a readout answered `queued` gets its `started`,
        // even if its time came while the reply was being sent.
        guard reply.payload?.attribute("queued") == "true" else {
            let consumer = self.consumer(from, role: role)
            Task {
                await perform(request, for: from, role: role)
                inProgress.release(consumer)
            }
            return
        }
        await queue.schedule(key(request, from), after: delay(of: request) ?? .zero) { [self] in
            let started = XMLElement("started", namespace: SensorDataXML.namespace, attributes: ["seqnr": request.seqnr])
            guard await send([started], to: from, bulk: false) else { return }
            await perform(request, for: from, role: role)
        }
    }

    /// Reads what the request selects and sends it, live readings first, then the history a
    /// page at a time as the link has room. Gives up when the session goes offline.
    func perform(_ request: ReadoutRequest, for requester: JID, role: Role) async {
        var response = ReadoutResponse(seqnr: request.seqnr, nodeID: nodeID)
        let live = await request.selection.live(from: device)
        // An operator's live readout goes ahead of viewers' bulk; history is bulk for everyone.
        guard await send(response.add(live, historical: false), to: requester, bulk: role < .operator) else { return }
        var pager = HistoryPager(selection: request.selection, limit: limits.historyReadings, pageSize: ReadoutResponse.fieldsPerMessage)
        while !pager.isFinished {
            let page: [Reading]
            do {
                page = try await pager.next(from: store)
            } catch {
                log.warning("history for seqnr \(request.seqnr): \(error)")
                // Shown as a failed source named `history`, so what was read still arrives.
                page = [Reading.failure(name: "history", reason: "stored readings unavailable", at: clock.wallTime())]
                _ = response.add(page, historical: true)
                break
            }
            guard await send(response.add(page, historical: true), to: requester, bulk: true) else { return }
        }
        guard await send(response.finish(), to: requester, bulk: role < .operator || request.selection.history) else { return }
        log.debug("readout \(request.seqnr) for \(requester): \(live.count) live, \(pager.delivered) stored")
    }

    /// Sends each payload in a message to `requester`, bulk ones when the link has room; false
    /// when the session is offline (the rest is not sent).
    private func send(_ payloads: [XMLElement], to requester: JID, bulk: Bool) async -> Bool {
        for payload in payloads {
            if bulk, await !sender.waitForBulkRoom() { return false }
            let message = XMLElement("message", namespace: Namespace.client, attributes: ["to": requester.description], children: [.element(payload)])
            guard await sender.send(message) else { return false }
        }
        return true
    }

    /// Refuses a request for another node (`item-not-found`), for fields the device does not
    /// have at all, or scheduled too far ahead.
    private func check(_ request: ReadoutRequest) throws(StanzaError) {
        if let other = request.nodeIDs.first(where: { $0 != nodeID }) {
            throw StanzaError(.itemNotFound, text: "no node '\(other)'; this device is '\(nodeID)'")
        }
        if let names = request.selection.names {
            let known = Set(device.profile.sensors.map(\.name) + device.controls.map(\.name))
            if known.isDisjoint(with: names) {
                throw StanzaError(.itemNotFound, text: "no field named \(names.sorted().joined(separator: ", "))")
            }
        }
        if let delay = delay(of: request), delay > Self.longestDelay {
            throw StanzaError(.badRequest, text: "'when' is more than 24 hours ahead")
        }
    }

    private func consumer(_ jid: JID, role: Role) -> Consumer {
        access?.consumer(jid, role: role) ?? Consumer(jid: jid, role: role)
    }

    private func key(_ request: ReadoutRequest, _ from: JID) -> ReadoutQueue.Key {
        ReadoutQueue.Key(requester: from.description, seqnr: request.seqnr)
    }

    /// How long until a scheduled readout is due; nil when it is due now.
    private func delay(of request: ReadoutRequest) -> Duration? {
        guard let when = request.when else { return nil }
        let milliseconds = when.millisecondsSinceEpoch - clock.wallTime().millisecondsSinceEpoch
        return milliseconds > 0 ? .milliseconds(milliseconds) : nil
    }
}
