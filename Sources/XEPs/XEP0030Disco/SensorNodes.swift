package import Devices
package import XMPPCore

/// The device's sensors and controls as disco nodes: `sensor/<name>` and `control/<name>`,
/// listed in the root disco#items and answering disco#info as `hierarchy/leaf` items.
package struct SensorNodes: DiscoNodeProvider {
    static let sensorPrefix = "sensor/"
    static let controlPrefix = "control/"

    private let device: Device
    /// The features that say how a sensor node is read or set: XEP-0323 readout, XEP-0325 control.
    private let readFeatures: [String]
    private let controlFeatures: [String]

    /// `features`: what the agent advertises, so a sensor node names the readout feature only
    /// when the agent answers it.
    package init(device: Device, features: [String]) {
        self.device = device
        readFeatures = features.filter { $0 == "urn:xmpp:iot:sensordata" }
        controlFeatures = features.filter { $0 == "urn:xmpp:iot:sensordata" || $0 == "urn:xmpp:iot:control" }
    }

    /// One item per sensor that is present (optional sensors found absent are left out), then
    /// one per control, in profile order.
    package func items(jid: JID) async -> [DiscoItem] {
        let present = Set(await device.currentReadings().map(\.name))
        let sensors = device.profile.sensors.filter { present.contains($0.name) }.map { sensor in
            DiscoItem(jid: jid, node: Self.sensorPrefix + sensor.name, name: Self.label(sensor.name, sensor.description, sensor.unit))
        }
        let controls = device.controls.map { control in
            DiscoItem(jid: jid, node: Self.controlPrefix + control.name, name: Self.label(control.name, control.description, control.unit))
        }
        return sensors + controls
    }

    package func discoInfo(node: String, for requester: JID, role: Role) async -> (identities: [DiscoIdentity], features: [String])? {
        guard let (name, isControl) = await lookUp(node) else { return nil }
        let features = [DiscoInfo.namespace] + (isControl ? controlFeatures : readFeatures)
        return ([DiscoIdentity(category: "hierarchy", type: "leaf", name: name)], features)
    }

    package func discoItems(node: String, for requester: JID, role: Role) async -> [DiscoItem]? {
        await lookUp(node) == nil ? nil : []
    }

    /// The sensor or control a node names, if it exists now.
    private func lookUp(_ node: String) async -> (name: String, isControl: Bool)? {
        if node.hasPrefix(Self.controlPrefix) {
            let name = String(node.dropFirst(Self.controlPrefix.count))
            return device.controls.contains { $0.name == name } ? (name, true) : nil
        }
        guard node.hasPrefix(Self.sensorPrefix) else { return nil }
        let name = String(node.dropFirst(Self.sensorPrefix.count))
        guard device.profile.sensors.contains(where: { $0.name == name }) else { return nil }
        let present = await device.currentReadings(names: [name])
        return present.isEmpty ? nil : (name, false)
    }

    /// `Outdoor temperature (°C)`, or the name when the profile gives no description.
    static func label(_ name: String, _ description: String, _ unit: String) -> String {
        (description.isEmpty ? name : description) + (unit.isEmpty ? "" : " (\(unit))")
    }
}
