package import Readings
import Store
package import XMLStream
package import XMPPCore

/// The PubSub item for one outbox batch (the readings of one device tick).
///
/// ```xml
/// <item id='1234'>
///   <fields xmlns='urn:xmpp:iot:sensordata' seqnr='1234' done='true'>
///     <delay xmlns='urn:xmpp:delay' stamp='2026-11-21T08:30:00.050Z' from='sensor-7@example.org'/>
///     <batch xmlns='urn:kinglet:outbox:0' first='1234' last='1236'/>
///     <node nodeId='simulated'><timestamp value='2026-11-21T08:30:00.050Z'>
///       <numeric name='temperature' momentary='true' automaticReadout='true' value='21.53' unit='°C'/>
///       …
/// ```
///
/// - The item id and `seqnr` are the batch's first sequence number; re-publishing a batch
///   (a resend) reuses them, so a subscriber drops duplicates by item id.
/// - `<batch first last/>` gives the batch's whole range: its readings are numbered
///   consecutively, and a failed source's reading (no value) is not written as a field
///   (XEP-0323 requires a value), so without it a subscriber could not tell a gap inside a
///   batch from a lost item. The next item's id is `last + 1` unless the outbox bounds
///   dropped readings in between (counted in `kinglet buffer stats` and the status line).
/// - `<delay/>` (XEP-0203) marks a batch that was not published live: taken while the agent was
///   offline or holding after publish errors, or sent again after a failed resumption. Its
///   stamp is the batch's first reading time. It sits inside the payload because the item
///   must hold exactly one payload element and the server writes the notification message
///   itself; slixmpp registers its Delay stanza on messages and presences only, so a slixmpp
///   subscriber reads it as `Delay(xml=payload.find('{urn:xmpp:delay}delay'))`.
package enum ReadingPayload {
    /// The namespace of `<batch first last/>`.
    package static let outboxNamespace = "urn:kinglet:outbox:0"

    /// The item id of a batch.
    package static func itemID(_ batch: ReadingBatch) -> String {
        String(batch.firstSequence)
    }

    /// The `<fields/>` payload of a batch, with `<delay/>` when given.
    package static func fields(_ batch: ReadingBatch, nodeID: String, delay: Delay?) -> XMLElement {
        var fields = SensorDataXML.fields(batch.readings, nodeID: nodeID, seqnr: itemID(batch), done: true)
        var head: [XMLNode] = []
        if let delay { head.append(.element(delay.element)) }
        head.append(.element(XMLElement(
            "batch", namespace: outboxNamespace,
            attributes: ["first": String(batch.firstSequence), "last": String(batch.lastSequence)])))
        fields.children.insert(contentsOf: head, at: 0)
        return fields
    }
}

/// A published batch read back by a subscriber (the fleet console's export): the item id, the
/// batch's sequence range, its readings, and whether it was published late (`<delay/>`).
package struct PublishedBatch: Sendable, Hashable {
    package var itemID: String
    package var first: UInt64
    package var last: UInt64
    package var readings: [Reading]
    package var delay: Delay?
}

extension ReadingPayload {
    /// Reads an `<item id>` holding a batch's `<fields/>`; nil for anything else. Without
    /// `<batch/>` (another publisher) the range is the item's `seqnr` and the number of fields.
    package static func parse(item: XMLElement) -> PublishedBatch? {
        guard let payload = item.elements.first(where: { $0.name == "fields" && $0.namespace == SensorDataXML.namespace }),
            let fields = SensorDataXML.parseFields(payload)
        else { return nil }
        let readings = fields.readings
        let batch = payload.child("batch", namespace: outboxNamespace)
        guard let first = (batch?.attribute("first") ?? fields.seqnr ?? item.attribute("id")).flatMap({ UInt64($0) }) else { return nil }
        let last = batch?.attribute("last").flatMap { UInt64($0) } ?? first + UInt64(max(readings.count, 1) - 1)
        guard last >= first else { return nil }
        return PublishedBatch(
            itemID: item.attribute("id") ?? String(first), first: first, last: last, readings: readings,
            delay: payload.child("delay", namespace: Namespace.delay).flatMap(Delay.init))
    }

    /// The items of a PubSub `<event/>` notification or of an `<items/>` result, in order.
    package static func items(in element: XMLElement) -> [XMLElement] {
        let container = element.child("event", namespace: PubSubXML.event) ?? element.child("pubsub", namespace: PubSubXML.namespace)
        return container?.child("items")?.children("item") ?? []
    }

    /// `<iq type='set'><pubsub><subscribe node jid/></pubsub></iq>` to the device's account (PEP):
    /// an explicit subscription, which the server honours wherever the device is connected.
    package static func subscribe(node: String, at account: JID, as subscriber: JID) -> XMLElement {
        XMLElement("iq", namespace: Namespace.client, attributes: ["type": "set", "to": account.description]) {
            XMLElement("pubsub", namespace: PubSubXML.namespace) {
                XMLElement("subscribe", attributes: ["node": node, "jid": subscriber.description])
            }
        }
    }

    /// `<iq type='get'><pubsub><items node/></pubsub></iq>` to the device's account (PEP).
    package static func fetchItems(node: String, from account: JID) -> XMLElement {
        XMLElement("iq", namespace: Namespace.client, attributes: ["type": "get", "to": account.description]) {
            XMLElement("pubsub", namespace: PubSubXML.namespace) {
                XMLElement("items", attributes: ["node": node])
            }
        }
    }
}
