import Devices
import Readings
import XEPs
import XMLStream
import XMPPCore

/// The readers of what contacts and servers send inside stanzas: XEP-0323 requests and
/// fields, XEP-0325 set parameters and control forms, XEP-0004 forms, XEP-0060 items,
/// affiliations and features, XEP-0030 disco#info with its XEP-0115 hash, XEP-0203 delays,
/// XEP-0045 occupant presences, roster items and stanza errors. Each reader gets every element
/// of the tree, so each finds its element wherever the input puts it.
///
/// Input: one element as XML text, parsed as a stanza of a `jabber:client` stream.
enum IoTPayloadFuzz: FuzzTarget {
    static let name = "iot-payloads"

    /// The simulated device, for the control readers (which check values against it).
    static let applier = ControlApplier(device: Device(profile: try! DeviceProfile.load(reference: "simulated")))

    static func run(_ bytes: [UInt8]) {
        guard let root = try? XMLElement(parsing: String(decoding: bytes, as: UTF8.self)) else { return }
        var pending = [root]
        var visited = 0
        while let element = pending.popLast(), visited < 256 {
            visited += 1
            read(element)
            pending += element.elements
        }
    }

    static func read(_ element: XMLElement) {
        _ = try? ReadoutRequest(element)
        _ = SensorDataXML.parseFields(element)
        _ = ReadingPayload.parse(item: element)
        _ = ReadingPayload.items(in: element)
        _ = ControlXML.nodeIDs(in: element)
        if let changes = try? ControlXML.changes(in: element, applier: applier) { _ = try? applier.validate(changes) }
        if let form = DataForm(element) {
            if let changes = try? ControlForm.changes(from: form, applier: applier) { _ = try? applier.validate(changes) }
        }
        _ = PubSubXML.features(in: element)
        _ = PubSubXML.affiliations(in: element)
        _ = PubSubXML.publishedItemIDs(in: element)
        if let info = DiscoInfo(element) { _ = EntityCapabilities(node: "fuzz", info: info) }
        _ = Delay(element)
        _ = OccupantPresence(element)
        _ = Roster.Item(element)
        _ = StanzaError(stanza: element)
        _ = StreamError(element)
    }
}
