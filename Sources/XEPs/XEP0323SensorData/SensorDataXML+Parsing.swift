package import Readings
package import Support
package import XMLStream

/// A `<fields/>` element read back: what a subscriber or a test sees of a readout or a PubSub item.
package struct SensorDataFields: Sendable, Hashable {
    package var seqnr: String?
    package var done: Bool
    /// Per `<node/>`, in document order.
    package var nodes: [SensorDataNode]

    /// Every reading of every node, in document order.
    package var readings: [Reading] { nodes.flatMap(\.readings) }
}

/// One `<node/>` of a `<fields/>` element: its `nodeId` and its readings in document order.
package struct SensorDataNode: Sendable, Hashable {
    package var nodeID: String
    package var readings: [Reading]
}

extension SensorDataXML {
    /// Reads a `<fields xmlns='urn:xmpp:iot:sensordata'/>` element; `nil` for anything else.
    /// Field elements of unknown kinds, or whose value does not parse as their kind, are skipped;
    /// `timeSpan` (the pre-0.3 name) is read as `duration`. Readings carry sequence 0.
    package static func parseFields(_ element: XMLElement) -> SensorDataFields? {
        guard element.name == "fields", element.namespace == namespace else { return nil }
        var nodes: [SensorDataNode] = []
        for node in element.children("node", namespace: namespace) {
            var readings: [Reading] = []
            for stamp in node.children("timestamp", namespace: namespace) {
                guard let time = stamp.attribute("value").flatMap(Timestamp.init(xsDateTime:)) else { continue }
                readings += stamp.elements.compactMap { parseField($0, at: time) }
            }
            nodes.append(SensorDataNode(nodeID: node.attribute("nodeId") ?? "", readings: readings))
        }
        return SensorDataFields(seqnr: element.attribute("seqnr"), done: element.attribute("done") == "true", nodes: nodes)
    }

    /// One typed field element as a `Reading` taken at `time`; `nil` when it is not one.
    package static func parseField(_ element: XMLElement, at time: Timestamp) -> Reading? {
        guard element.namespace == namespace, let name = element.attribute("name"),
            let text = element.attribute("value"), let value = parseValue(element, text)
        else { return nil }
        var qos: QoS = []
        for (flag, attribute) in QoS.attributeNames where isTrue(element.attribute(attribute)) {
            qos.insert(flag)
        }
        let fieldType = FieldType.allCases.first { isTrue(element.attribute($0.rawValue)) } ?? .momentary
        return Reading(
            name: name, value: value, unit: element.attribute("unit") ?? "", fieldType: fieldType,
            qos: qos.isEmpty ? .automaticReadout : qos, timestamp: time, writable: isTrue(element.attribute("writable")))
    }

    private static func parseValue(_ element: XMLElement, _ text: String) -> FieldValue? {
        switch element.name {
        case "numeric":
            guard let number = Double(text) else { return nil }
            return .numeric(number, decimals: text.split(separator: ".", omittingEmptySubsequences: false).dropFirst().first.map(\.count))
        case "int": return Int32(text).map(FieldValue.int)
        case "long": return Int64(text).map(FieldValue.long)
        case "boolean":
            switch text {
            case "true", "1": return .boolean(true)
            case "false", "0": return .boolean(false)
            default: return nil
            }
        case "string": return .string(text)
        case "enum": return .enumeration(text, dataType: element.attribute("dataType") ?? "")
        case "dateTime": return Timestamp(xsDateTime: text).map(FieldValue.dateTime)
        case "duration", "timeSpan": return .duration(text)
        default: return nil
        }
    }

    /// xs:boolean: `true` or `1`.
    static func isTrue(_ text: String?) -> Bool {
        text == "true" || text == "1"
    }
}
