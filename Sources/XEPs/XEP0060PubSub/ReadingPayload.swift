package import Readings
import Store
package import XMLStream

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
