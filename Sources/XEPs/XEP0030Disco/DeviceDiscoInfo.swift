package import Devices
import Support

/// What the device says about itself in disco#info, and so in its XEP-0115 caps: the
/// `client/bot` identity, every feature the agent answers, and two XEP-0128 forms (the
/// XEP-0232 software information and the device's identity readings).
///
/// Built once from the IQ handlers the agent lists, so the features advertised are exactly the
/// ones answered. The identity readings come from the device at each call: they are read once
/// at start, and a caps `ver` computed before that read would differ from the one after.
package struct DeviceDiscoInfo: Sendable {
    /// FORM_TYPE of the device identity form. Kinglet's own URI: no registered namespace exists
    /// for a device's serial number and model.
    package static let deviceFormType = "https://kinglet.invalid/device"
    package static let softwareInfoFormType = "urn:xmpp:dataforms:softwareinfo"
    /// Features answered without an IQ handler of their own.
    package static let baseFeatures = [
        DiscoInfo.namespace, DiscoItems.namespace, EntityCapabilities.namespace, DataForm.namespace,
    ]

    package let identity: DiscoIdentity
    /// Sorted by octets, without duplicates.
    package let features: [String]
    private let device: Device
    private let operatingSystem: OperatingSystem?

    /// `handlers`: every IQ handler the router has (the disco handler itself included or not:
    /// its features are in `baseFeatures`). `operatingSystem`: nil to withhold it.
    package init(name: String, handlers: [any IQHandler], device: Device, operatingSystem: OperatingSystem?) {
        identity = DiscoIdentity(category: "client", type: "bot", name: name)
        let all = Set(Self.baseFeatures + handlers.flatMap(\.discoFeatures))
        features = all.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        self.device = device
        self.operatingSystem = operatingSystem
    }

    /// Whether the agent answers this feature (e.g. the XEP-0050 commands node).
    package func advertises(_ feature: String) -> Bool {
        features.contains(feature)
    }

    /// The disco#info of the device itself (no node, or the caps node).
    package func current() async -> DiscoInfo {
        DiscoInfo(identities: [identity], features: features, forms: [softwareForm(), await deviceForm()])
    }

    /// The caps for the current disco#info.
    package func capabilities() async -> EntityCapabilities {
        EntityCapabilities(node: KingletVersion.capsNode, info: await current())
    }

    /// XEP-0232: software name and version, and the OS unless withheld.
    func softwareForm() -> DataForm {
        var form = DataForm(.result)
        form.formType = Self.softwareInfoFormType
        if let operatingSystem {
            form.fields.append(DataFormField("os", values: [operatingSystem.name]))
            form.fields.append(DataFormField("os_version", values: [operatingSystem.version]))
        }
        form.fields.append(DataFormField("software", values: [KingletVersion.name]))
        form.fields.append(DataFormField("software_version", values: [KingletVersion.string]))
        return form
    }

    /// The profile name and every identity reading that has a value (serial number, model,
    /// agent version...), one field per sensor, named after it.
    func deviceForm() async -> DataForm {
        var form = DataForm(.result)
        form.formType = Self.deviceFormType
        form.fields.append(DataFormField("profile", label: "Device profile", values: [device.profile.name]))
        let descriptions = Dictionary(device.profile.sensors.map { ($0.name, $0.description) }, uniquingKeysWith: { a, _ in a })
        for reading in await device.currentReadings(types: [.identity]) where reading.name != "profile" && reading.name != "FORM_TYPE" {
            guard !reading.isError, let value = reading.value else { continue }
            let label = descriptions[reading.name].flatMap { $0.isEmpty ? nil : $0 }
            form.fields.append(DataFormField(reading.name, label: label, values: [value.text]))
        }
        return form
    }
}
