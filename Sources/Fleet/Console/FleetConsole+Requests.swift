import Readings
import Session
import Support
import XEPs
import XMLStream
import XMPPCore

extension FleetConsole {
    // MARK: Caps

    /// Starts disco#info requests for queued caps, up to `capsLimit` in flight.
    func resolveCaps() async {
        while capsInFlight < capsLimit, !capsQueue.isEmpty {
            let (ver, jid, node) = capsQueue.removeFirst()
            let query = XMLElement("iq", namespace: Namespace.client, attributes: ["type": "get", "to": jid.description]) {
                XMLElement("query", namespace: DiscoInfo.namespace, attributes: ["node": node])
            }
            capsInFlight += 1
            let sent = await session.sendRequest(query, timeout: configuration.fleet.timeout) { [weak self] result in
                Task { await self?.capsAnswered(ver: ver, jid: jid, node: node, result) }
            }
            if !sent {
                capsInFlight -= 1
                directory.unresolved(ver)
            }
        }
    }

    private func capsAnswered(ver: String, jid: JID, node: String, _ result: Result<XMLElement, RequestError>) async {
        capsInFlight -= 1
        if case .success(let reply) = result, let info = reply.payload.flatMap(DiscoInfo.init) {
            if !directory.resolved(ver, jid: jid, node: node, info: info) {
                log.warning("\(jid) advertises caps \(ver) but its disco#info hashes otherwise: not cached")
            }
        } else {
            log.debug("disco#info of \(jid) failed: \(result)")
            directory.unresolved(ver, asked: jid)
            capsQueue += directory.takeUnresolved()
        }
        await resolveCaps()
        if let record = directory.devices.first(where: { $0.jid == jid }) { await listener?(.device(record)) }
    }

    // MARK: Readout and control

    /// One XEP-0323 readout of `jid`, within the per-device time limit.
    func readout(_ jid: JID, fields: [String]) async -> ReadoutResult {
        nextSeqnr += 1
        let seqnr = String(nextSeqnr)
        let request = ReadoutRequest(seqnr: seqnr, names: fields)
        let iq = XMLElement("iq", namespace: Namespace.client, attributes: ["type": "get", "to": jid.description]) { request.element }
        let timeout = configuration.fleet.timeout
        readouts.started(seqnr, to: jid)
        let sent = await session.sendRequest(iq, timeout: timeout) { [weak self] result in
            guard case .failure(let error) = result else { return }  // the data comes in messages
            Task { await self?.endReadout(seqnr, outcome: Self.outcome(error)) }
        }
        if !sent { endReadout(seqnr, outcome: .unreachable("the console is not connected")) }
        let timer = clock.after(timeout) { [weak self] in await self?.endReadout(seqnr, outcome: .timedOut) }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            if let done = finishedReadouts.removeValue(forKey: seqnr) {
                continuation.resume(returning: done)
            } else {
                readoutWaiters[seqnr] = continuation
            }
        }
    }

    /// Ends a readout that had no answer (an error reply, the time limit).
    func endReadout(_ seqnr: String, outcome: DeviceOutcome) {
        guard let result = readouts.finish(seqnr, outcome: outcome) else { return }
        deliver(seqnr, result)
    }

    /// Hands a finished readout to whoever waits for it, or keeps it until they do.
    func deliver(_ seqnr: String, _ result: ReadoutResult) {
        if let waiter = readoutWaiters.removeValue(forKey: seqnr) {
            waiter.resume(returning: result)
        } else {
            finishedReadouts[seqnr] = result
        }
    }

    /// One XEP-0325 set on `jid`: ok, or the device's error with its `paramError` text.
    func set(_ jid: JID, _ changes: [ControlChange]) async -> DeviceOutcome {
        let iq = XMLElement("iq", namespace: Namespace.client, attributes: ["type": "set", "to": jid.description]) { ControlXML.set(changes) }
        switch await session.request(iq, timeout: configuration.fleet.timeout) {
        case .success: return .ok
        case .failure(let error): return Self.outcome(error)
        }
    }

    static func outcome(_ error: RequestError) -> DeviceOutcome {
        switch error {
        case .timedOut: return .timedOut
        case .offline: return .unreachable("the console lost its connection")
        case .error(let stanzaError):
            if let param = stanzaError.application, param.name == "paramError" {
                return .failed("\(param.attribute("var") ?? "?"): \(param.text)")
            }
            switch stanzaError.condition {
            case .serviceUnavailable, .recipientUnavailable, .itemNotFound:
                return .unreachable(stanzaError.description)
            default:
                return .failed(stanzaError.description)
            }
        }
    }
}

/// Runs `work` on every item with at most `limit` at once; results in the items' order.
func boundedMap<Item: Sendable, Output: Sendable>(
    _ items: [Item], limit: Int, _ work: @escaping @Sendable (Item) async -> Output
) async -> [Output] {
    await withTaskGroup(of: (Int, Output).self) { group in
        var results: [Output?] = Array(repeating: nil, count: items.count)
        var next = 0
        while next < min(limit, items.count) {
            let index = next
            group.addTask { (index, await work(items[index])) }
            next += 1
        }
        for await (index, output) in group {
            results[index] = output
            if next < items.count {
                let index = next
                group.addTask { (index, await work(items[index])) }
                next += 1
            }
        }
        return results.compactMap { $0 }
    }
}
