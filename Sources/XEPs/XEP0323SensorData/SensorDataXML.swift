package import Readings
import Support
package import XMLStream

/// XEP-0323 (`urn:xmpp:iot:sensordata`) stanza shapes for readings: the `<fields/>` element a
/// readout answers with and the PubSub item payload, `<failure/>` for sources that failed, and
/// reading them back.
///
/// **Readings without a value** (a failed source: `Reading.value == nil`) are never written as
/// fields. XEP-0323's schema requires `value` on every field, and a client such as slixmpp reads
/// a missing `value` as the empty string, so `<string name='t' error='true' value=''/>` would be
/// taken as a reading of "". They appear instead as `<error/>` entries in `failure(...)`, which is
/// how XEP-0323 reports a source that could not be read. A reading that has a value *and* the
/// `error` QoS flag (a value known to be wrong) is written as a field with `error='true'`: that is
/// what the flag means in the spec.
package enum SensorDataXML {
    package static let namespace = "urn:xmpp:iot:sensordata"

    /// `<fields xmlns='urn:xmpp:iot:sensordata' [seqnr] [done='true']><node nodeId=…>` with one
    /// `<timestamp value=…>` per distinct reading time, in order of first appearance, holding
    /// the typed field elements. Value-less readings are left out (see the type's summary).
    /// The schema requires `seqnr` in readout answers; a PubSub payload may pass `nil`.
    package static func fields(_ readings: [Reading], nodeID: String, seqnr: String?, done: Bool) -> XMLElement {
        fields(readings, nodeID: nodeID, seqnr: seqnr, done: done, historical: false)
    }

    /// As `fields(_:nodeID:seqnr:done:)`; with `historical` every field is marked
    /// `historicalOther='true'` instead of its live field type, because stored samples are taken
    /// at the device's interval, not aggregated per second, hour or day.
    package static func fields(_ readings: [Reading], nodeID: String, seqnr: String?, done: Bool, historical: Bool) -> XMLElement {
        var groups: [(time: Timestamp, fields: [XMLElement])] = []
        var groupIndex: [Timestamp: Int] = [:]
        for reading in readings {
            guard let element = field(reading, historical: historical) else { continue }
            if let index = groupIndex[reading.timestamp] {
                groups[index].fields.append(element)
            } else {
                groupIndex[reading.timestamp] = groups.count
                groups.append((reading.timestamp, [element]))
            }
        }
        let node = XMLElement("node", namespace: namespace, attributes: ["nodeId": nodeID]) {
            groups.map { group in
                XMLElement("timestamp", namespace: namespace, attributes: [XMLAttribute("value", group.time.xsDateTime)], children: group.fields.map { .element($0) })
            }
        }
        return XMLElement("fields", namespace: namespace, attributes: envelopeAttributes(seqnr: seqnr, done: done), children: [.element(node)])
    }

    /// `<failure [seqnr] [done='true']>` with one `<error nodeId timestamp>name: reason</error>`
    /// per value-less reading, or `nil` when every reading has a value.
    package static func failure(_ readings: [Reading], nodeID: String, seqnr: String?, done: Bool) -> XMLElement? {
        let errors = readings.filter { $0.value == nil }.map { reading in
            XMLElement(
                "error", namespace: namespace,
                attributes: ["nodeId": nodeID, "timestamp": reading.timestamp.xsDateTime],
                text: reading.name + ": " + (reading.errorText ?? "no value"))
        }
        guard !errors.isEmpty else { return nil }
        return XMLElement("failure", namespace: namespace, attributes: envelopeAttributes(seqnr: seqnr, done: done), children: errors.map { .element($0) })
    }

    /// One typed field element (`<numeric name value unit …/>`), or `nil` for a value-less reading.
    /// Attributes in this order: `name`, the field type, the QoS flags in the spec's order,
    /// `writable`, `value`, then `unit` (always, on numeric) or `dataType` (on enum). Only
    /// `numeric` has a `unit` in XEP-0323's schema, so an `int` reading's unit is not written.
    package static func field(_ reading: Reading, historical: Bool = false) -> XMLElement? {
        guard let value = reading.value else { return nil }
        var attributes = [XMLAttribute("name", reading.name)]
        attributes.append(XMLAttribute(historical ? "historicalOther" : reading.fieldType.rawValue, "true"))
        for (flag, attribute) in QoS.attributeNames where reading.qos.contains(flag) {
            attributes.append(XMLAttribute(attribute, "true"))
        }
        if reading.writable { attributes.append(XMLAttribute("writable", "true")) }
        attributes.append(XMLAttribute("value", value.text))
        switch value {
        case .numeric: attributes.append(XMLAttribute("unit", reading.unit))
        case .enumeration(_, let dataType): attributes.append(XMLAttribute("dataType", dataType))
        default: break
        }
        return XMLElement(value.valueType.rawValue, namespace: namespace, attributes: attributes)
    }

    private static func envelopeAttributes(seqnr: String?, done: Bool) -> [XMLAttribute] {
        var attributes: [XMLAttribute] = []
        if let seqnr { attributes.append(XMLAttribute("seqnr", seqnr)) }
        if done { attributes.append(XMLAttribute("done", "true")) }
        return attributes
    }
}
