import Readings
import XEPs
import XMLStream
import XMPPCore

/// How one device's readout or set ended.
enum DeviceOutcome: Sendable, Hashable {
    case ok
    /// The device answered with an error (or `<failure/>` for every field): the text says what.
    case failed(String)
    case timedOut
    /// Not online, or not a device the console knows.
    case unreachable(String)

    var word: String {
        switch self {
        case .ok: "ok"
        case .failed: "failed"
        case .timedOut: "timed out"
        case .unreachable: "unreachable"
        }
    }

    var detail: String? {
        switch self {
        case .failed(let text), .unreachable(let text): text
        case .ok, .timedOut: nil
        }
    }
}

/// One device's XEP-0323 readout as the console gathered it.
struct ReadoutResult: Sendable, Hashable {
    var jid: JID
    var outcome: DeviceOutcome
    var readings: [Reading] = []
    /// `<failure/>` entries: `name: reason`.
    var errors: [String] = []
    /// From the request to its last answer (or the time limit); nil when none was sent.
    var latency: Duration?
}

/// Gathers the messages that answer XEP-0323 readouts (`fields`, `failure`, each with the
/// request's `seqnr`, the last one `done='true'`) per request, from the device asked only.
/// A pure value; the console owns the time limits.
struct ReadoutCollector: Sendable {
    private var open: [String: ReadoutResult] = [:]

    var count: Int { open.count }

    /// A request with this `seqnr` went to `jid`.
    mutating func started(_ seqnr: String, to jid: JID) {
        open[seqnr] = ReadoutResult(jid: jid, outcome: .ok)
    }

    /// A message from a device: returns the finished readout when it said `done`. Messages
    /// for no open request, or from another JID than the one asked, change nothing.
    mutating func receive(_ message: XMLElement) -> (seqnrKey: String, result: ReadoutResult)? {
        guard let from = message.from else { return nil }
        for payload in message.elements where payload.namespace == SensorDataXML.namespace {
            guard let seqnr = payload.attribute("seqnr"), var result = open[seqnr], result.jid == from else { continue }
            switch payload.name {
            case "fields":
                result.readings += SensorDataXML.parseFields(payload)?.readings ?? []
            case "failure":
                result.errors += payload.children("error", namespace: SensorDataXML.namespace).compactMap(\.text)
            default:
                break
            }
            open[seqnr] = result
            if payload.attribute("done") == "true" || payload.name == "done" {
                return finish(seqnr).map { (seqnr, $0) }
            }
        }
        return nil
    }

    /// Ends the request (answered with an error, timed out): what arrived so far, or nil if it
    /// had already finished.
    mutating func finish(_ seqnr: String, outcome: DeviceOutcome? = nil) -> ReadoutResult? {
        guard var result = open.removeValue(forKey: seqnr) else { return nil }
        if let outcome { result.outcome = outcome }
        if result.outcome == .ok, result.readings.isEmpty, !result.errors.isEmpty {
            result.outcome = .failed(result.errors.joined(separator: "; "))
        }
        return result
    }
}
