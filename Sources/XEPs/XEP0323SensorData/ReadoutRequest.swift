package import Readings
package import Support
package import XMLStream
package import XMPPCore

/// A parsed XEP-0323 `<req/>`: what to read, for which sequence number, and when.
package struct ReadoutRequest: Sendable, Hashable {
    /// The client's number for this readout, echoed in everything sent back.
    package var seqnr: String
    package var selection: ReadoutSelection
    /// The `<node nodeId/>` children; empty means the whole device.
    package var nodeIDs: [String]
    /// A scheduled readout (`when`); `nil` for now.
    package var when: Timestamp?

    /// Reads a `<req/>`. Fails with `bad-request` on a missing or non-integer `seqnr` (the
    /// schema's xs:int) or a malformed time.
    package init(_ req: XMLElement) throws(StanzaError) {
        let ns = SensorDataXML.namespace
        guard let seqnr = req.attribute("seqnr"), Int64(seqnr) != nil else {
            throw StanzaError(.badRequest, text: "req needs an integer seqnr")
        }
        self.seqnr = seqnr
        selection = try ReadoutSelection(request: req)
        nodeIDs = req.children("node", namespace: ns).compactMap { $0.attribute("nodeId") }
        if let text = req.attribute("when") {
            guard let when = Timestamp(xsDateTime: text) else {
                throw StanzaError(.badRequest, text: "'when' is not an xs:dateTime: \(text)")
            }
            self.when = when
        }
    }
}

extension ReadoutRequest {
    /// A request to send (the client side): `seqnr`, the current readings of `names` (all
    /// without), for the whole device; identity fields (serial number, model) only by name.
    package init(seqnr: String, names: [String]) {
        self.seqnr = seqnr
        selection = ReadoutSelection(names: names.isEmpty ? nil : Set(names), types: names.isEmpty ? [.momentary, .peak, .status, .computed] : Set(FieldType.allCases))
        nodeIDs = []
    }

    /// The `<req/>` element, as `init(_:)` reads it back: the selection's live field-type flags,
    /// `historical` with `from`/`to` for history, the nodes and the fields by name (sorted).
    package var element: XMLElement {
        let ns = SensorDataXML.namespace
        var attributes = [XMLAttribute("seqnr", seqnr)]
        for type in FieldType.allCases where selection.types.contains(type) { attributes.append(XMLAttribute(type.rawValue, "true")) }
        if selection.history { attributes.append(XMLAttribute("historical", "true")) }
        if let from = selection.from { attributes.append(XMLAttribute("from", from.xsDateTime)) }
        if let to = selection.to { attributes.append(XMLAttribute("to", to.xsDateTime)) }
        if let when { attributes.append(XMLAttribute("when", when.xsDateTime)) }
        let nodes = nodeIDs.map { XMLElement("node", namespace: ns, attributes: ["nodeId": $0]) }
        let fields = (selection.names ?? []).sorted().map { XMLElement("field", namespace: ns, attributes: ["name": $0]) }
        return XMLElement("req", namespace: ns, attributes: attributes, children: (nodes + fields).map { .element($0) })
    }
}

/// The message payloads that answer one readout, in the order they are sent.
package enum ReadoutResponse {
    /// The most fields (or errors) in one message, so a long history does not make one huge stanza.
    package static let fieldsPerMessage = 100

    /// `<fields/>` for the live readings that have a value, then for the stored ones (marked
    /// historical), then `<failure/>` listing every reading without a value, each split into
    /// messages of at most `chunk` entries. Only the last payload says `done='true'`; when there
    /// is nothing at all, one empty `<fields done='true'/>` ends the readout.
    package static func payloads(
        seqnr: String, nodeID: String, live: [Reading], stored: [Reading] = [], chunk: Int = fieldsPerMessage
    ) -> [XMLElement] {
        let size = max(1, chunk)
        var parts: [(readings: [Reading], kind: Kind)] = []
        for (readings, kind) in [(live, Kind.live), (stored, .historical)] {
            parts += split(readings.filter { $0.value != nil }, size).map { ($0, kind) }
        }
        parts += split((live + stored).filter { $0.value == nil }, size).map { ($0, .failure) }
        guard !parts.isEmpty else {
            return [SensorDataXML.fields([], nodeID: nodeID, seqnr: seqnr, done: true)]
        }
        return parts.enumerated().compactMap { index, part in
            let done = index == parts.count - 1
            switch part.kind {
            case .live: return SensorDataXML.fields(part.readings, nodeID: nodeID, seqnr: seqnr, done: done)
            case .historical: return SensorDataXML.fields(part.readings, nodeID: nodeID, seqnr: seqnr, done: done, historical: true)
            case .failure: return SensorDataXML.failure(part.readings, nodeID: nodeID, seqnr: seqnr, done: done)
            }
        }
    }

    private enum Kind { case live, historical, failure }

    private static func split(_ readings: [Reading], _ size: Int) -> [[Reading]] {
        stride(from: 0, to: readings.count, by: size).map { Array(readings[$0..<min($0 + size, readings.count)]) }
    }
}
