import Readings
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
