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
package struct SensorDataHandler: IQHandler {
    /// The most stored readings one historical readout returns.
    package static let historyLimit = 1000
    /// How far ahead a readout may be scheduled with `when`.
    package static let longestDelay = Duration.seconds(24 * 3600)
    /// How many scheduled readouts may wait at once.
    package static let queueCapacity = 32

    /// Where the data messages go: the session in the agent, a recorder in tests.
    private let sender: any StanzaSender
    private let device: Device
    private let store: ReadingStore
    private let nodeID: String
    private let clock: any AgentClock
    private let queue: ReadoutQueue
    private let log = Logger("readout")

    package init(sender: any StanzaSender, device: Device, store: ReadingStore, nodeID: String, clock: any AgentClock = SystemClock()) {
        self.sender = sender
        self.device = device
        self.store = store
        self.nodeID = nodeID
        self.clock = clock
        queue = ReadoutQueue(capacity: Self.queueCapacity, clock: clock)
    }

    package var payloadNamespaces: Set<String> { [SensorDataXML.namespace] }

    package func requiredRole(for iq: XMLElement) -> Role { .viewer }

    package func handle(_ iq: XMLElement, from: JID, role: Role) async -> XMLElement {
        guard iq.stanzaType == "get", let payload = iq.payload else {
            return iq.errorReply(StanzaError(.badRequest, text: "XEP-0323 requests are iq get"))
        }
        do throws(StanzaError) {
            switch payload.name {
            case "req":
                let request = try ReadoutRequest(payload)
                try check(request)
                let queued = delay(of: request) != nil
                if queued, await queue.isFull {
                    throw StanzaError(.resourceConstraint, text: "too many scheduled readouts")
                }
                var accepted = XMLElement("accepted", namespace: SensorDataXML.namespace, attributes: ["seqnr": request.seqnr])
                if queued { accepted.setAttribute("queued", "true") }
                return iq.iqResult(accepted)
            case "cancel":
                guard let seqnr = payload.attribute("seqnr") else { throw StanzaError(.badRequest, text: "cancel needs a seqnr") }
                // Idempotent: after `cancelled` nothing more arrives for this seqnr, whether a
                // scheduled readout was waiting or the readout had already been sent.
                await queue.cancel(ReadoutQueue.Key(requester: from.description, seqnr: seqnr))
                return iq.iqResult(XMLElement("cancelled", namespace: SensorDataXML.namespace, attributes: ["seqnr": seqnr]))
            default:
                throw StanzaError(.featureNotImplemented, text: "unknown request \(payload.name)")
            }
        } catch {
            log.info("refused \(payload.name) from \(from): \(error)")
            return iq.errorReply(error)
        }
    }

    /// Sends the data once `accepted` is on its way, or schedules it for `when`.
    package func afterReply(_ reply: XMLElement, to iq: XMLElement, from: JID, role: Role) async {
        guard reply.stanzaType == "result", let payload = iq.payload, payload.name == "req",
            let request = try? ReadoutRequest(payload)
        else { return }
        // What `accepted` promised decides: a readout answered `queued` gets its `started`,
        // even if its time came while the reply was being sent.
        guard reply.payload?.attribute("queued") == "true" else {
            await perform(request, for: from)
            return
        }
        let key = ReadoutQueue.Key(requester: from.description, seqnr: request.seqnr)
        await queue.schedule(key, after: delay(of: request) ?? .zero) { [self] in
            await send(XMLElement("started", namespace: SensorDataXML.namespace, attributes: ["seqnr": request.seqnr]), to: from)
            await perform(request, for: from)
        }
    }

    /// Reads what the request selects and sends it.
    func perform(_ request: ReadoutRequest, for requester: JID) async {
        let live = await request.selection.live(from: device)
        var stored: [Reading] = []
        do {
            stored = try await request.selection.stored(from: store, limit: Self.historyLimit)
        } catch {
            log.warning("history for seqnr \(request.seqnr): \(error)")
            // Shown as a failed source named `history`, so the live part still arrives.
            stored = [Reading.failure(name: "history", reason: "stored readings unavailable", at: clock.wallTime())]
        }
        let payloads = ReadoutResponse.payloads(seqnr: request.seqnr, nodeID: nodeID, live: live, stored: stored)
        for payload in payloads {
            await send(payload, to: requester)
        }
        log.debug("readout \(request.seqnr) for \(requester): \(live.count) live, \(stored.count) stored, \(payloads.count) messages")
    }

    private func send(_ payload: XMLElement, to requester: JID) async {
        await sender.send(XMLElement("message", namespace: Namespace.client, attributes: ["to": requester.description], children: [.element(payload)]))
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

    /// How long until a scheduled readout is due; nil when it is due now.
    private func delay(of request: ReadoutRequest) -> Duration? {
        guard let when = request.when else { return nil }
        let milliseconds = when.millisecondsSinceEpoch - clock.wallTime().millisecondsSinceEpoch
        return milliseconds > 0 ? .milliseconds(milliseconds) : nil
    }
}
