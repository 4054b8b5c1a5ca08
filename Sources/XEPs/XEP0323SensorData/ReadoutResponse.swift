package import Readings
package import XMLStream

/// The message payloads that answer one readout, made as the readings come (a page of history
/// at a time), so that a long answer is never built whole in memory.
///
/// `<fields/>` for the live readings that have a value, then for the stored ones (marked
/// historical), then `<failure/>` listing every reading without a value, each split into
/// messages of at most `chunk` entries. Only the last payload says `done='true'`; when there is
/// nothing at all, one empty `<fields done='true'/>` ends the readout. One payload is held back
/// until the next is made or the readout ends, so the last one can be marked.
package struct ReadoutResponse: Sendable {
    /// The most fields (or errors) in one message, so a long history does not make one huge stanza.
    package static let fieldsPerMessage = 100

    private let seqnr: String
    private let nodeID: String
    private let chunk: Int
    private var held: XMLElement?
    /// Readings without a value, listed in `<failure/>` at the end.
    private var failures: [Reading] = []

    package init(seqnr: String, nodeID: String, chunk: Int = fieldsPerMessage) {
        self.seqnr = seqnr
        self.nodeID = nodeID
        self.chunk = max(1, chunk)
    }

    /// Takes readings (live, or stored when `historical`); returns the payloads now ready to go.
    package mutating func add(_ readings: [Reading], historical: Bool) -> [XMLElement] {
        failures += readings.filter { $0.value == nil }
        let made = Self.split(readings.filter { $0.value != nil }, chunk).map {
            SensorDataXML.fields($0, nodeID: nodeID, seqnr: seqnr, done: false, historical: historical)
        }
        return release(made)
    }

    /// The payloads that end the readout: the one held back, the failures, the last one `done`.
    package mutating func finish() -> [XMLElement] {
        let made = Self.split(failures, chunk).compactMap { SensorDataXML.failure($0, nodeID: nodeID, seqnr: seqnr, done: false) }
        failures = []
        var rest = (held.map { [$0] } ?? []) + made
        held = nil
        guard !rest.isEmpty else { return [SensorDataXML.fields([], nodeID: nodeID, seqnr: seqnr, done: true)] }
        rest[rest.count - 1].setAttribute("done", "true")
        return rest
    }

    /// Every payload of a readout at once: for answers small enough to make whole.
    package static func payloads(
        seqnr: String, nodeID: String, live: [Reading], stored: [Reading] = [], chunk: Int = fieldsPerMessage
    ) -> [XMLElement] {
        var response = ReadoutResponse(seqnr: seqnr, nodeID: nodeID, chunk: chunk)
        return response.add(live, historical: false) + response.add(stored, historical: true) + response.finish()
    }

    /// Holds back the last of `made` and returns what it replaces.
    private mutating func release(_ made: [XMLElement]) -> [XMLElement] {
        guard let last = made.last else { return [] }
        let ready = (held.map { [$0] } ?? []) + made.dropLast()
        held = last
        return ready
    }

    private static func split(_ readings: [Reading], _ size: Int) -> [[Reading]] {
        stride(from: 0, to: readings.count, by: size).map { Array(readings[$0..<min($0 + size, readings.count)]) }
    }
}
