import Support
import XEPs
import XMLStream
import XMPPCore

/// What the console knows of one device: its presence and what its caps say it is.
struct DeviceRecord: Sendable, Hashable {
    /// The full JID it is online as (or was last seen as).
    var jid: JID
    var name: String?
    var online: Bool
    var show: String?
    var status: String?
    var version: String?
    var model: String?
    /// When its presence last changed, as seen by the console.
    var lastChange: Timestamp
    /// The room nick, when it sits in the fleet room.
    var nick: String?
    /// The caps `ver` it advertised.
    var ver: String?
}

/// What a caps `ver` stands for, once resolved and verified: whether it is a Kinglet-style
/// device (`urn:xmpp:iot:sensordata`) and the names the disco#info forms give.
struct CapsInfo: Sendable, Hashable {
    var isDevice: Bool
    var name: String?
    var version: String?
    var model: String?

    init(isDevice: Bool, name: String?, version: String?, model: String?) {
        self.isDevice = isDevice
        self.name = name
        self.version = version
        self.model = model
    }

    init(_ info: DiscoInfo) {
        isDevice = info.features.contains(SensorDataXML.namespace)
        name = info.identities.first(where: { $0.name != nil })?.name
        let software = info.forms.first { $0.formType == DeviceDiscoInfo.softwareInfoFormType }
        let device = info.forms.first { $0.formType == DeviceDiscoInfo.deviceFormType }
        version = software?.value("software_version") ?? device?.value("agent_version")
        model = device?.value("model")
    }
}

/// The devices the console has discovered by presence: roster contacts and fleet-room
/// occupants whose caps, resolved by disco#info once per `ver` and verified, name
/// `urn:xmpp:iot:sensordata`. A pure value: the console feeds it presences and disco answers.
struct DeviceDirectory: Sendable {
    /// Each full JID's latest presence facts and the caps `ver` it advertised.
    private var presences: [JID: (record: DeviceRecord, ver: String?, node: String?)] = [:]
    /// Verified caps, by `ver`.
    private(set) var caps: [String: CapsInfo] = [:]
    /// `ver`s whose disco#info did not match the hash: the answer is used for that JID only.
    private var unverified: [JID: CapsInfo] = [:]
    /// `ver`s being asked about (to which JID), and those waiting for a turn.
    private(set) var resolving: Set<String> = []
    /// JIDs whose disco#info for a `ver` failed: another JID advertising it is asked next.
    private var failedAsks: [String: Set<JID>] = [:]
    /// Devices seen in earlier runs (`KnownDevices`), listed as offline until heard from.
    private(set) var known: [DeviceRecord] = []

    /// What earlier runs learnt: their devices, and the caps they had verified.
    mutating func remember(_ devices: [DeviceRecord]) {
        known = devices
        for device in devices {
            guard let ver = device.ver else { continue }
            caps[ver] = CapsInfo(isDevice: true, name: device.name, version: device.version, model: device.model)
        }
    }

    /// A presence from `jid` (a contact, or the real JID of a room occupant).
    mutating func apply(_ presence: XMLElement, from jid: JID, nick: String? = nil, at time: Timestamp) {
        let available = presence.stanzaType == nil
        guard available || presence.stanzaType == "unavailable" else { return }
        let c = presence.child("c", namespace: EntityCapabilities.namespace)
        var entry = presences[jid] ?? (DeviceRecord(jid: jid, online: false, lastChange: time), nil, nil)
        let show = presence.child("show")?.text
        let status = presence.child("status")?.text
        if entry.record.online != available || entry.record.show != show || entry.record.status != status {
            entry.record.lastChange = time
        }
        entry.record.online = available
        entry.record.show = available ? show : nil
        entry.record.status = status ?? (available ? nil : entry.record.status)
        if let nick { entry.record.nick = nick }
        if let ver = c?.attribute("ver") {
            entry.ver = ver
            entry.node = c?.attribute("node")
        }
        presences[jid] = entry
        // A new presence: a JID that did not answer before may be asked again.
        for ver in failedAsks.keys { failedAsks[ver]?.remove(jid) }
        // A bare JID's unavailable presence (an offline contact): every resource is offline.
        if !available, jid.resource == nil {
            for (other, var value) in presences where other.bare == jid && other.resource != nil && value.record.online {
                value.record.online = false
                value.record.show = nil
                value.record.lastChange = time
                presences[other] = value
            }
        }
    }

    /// Caps `ver`s seen but neither resolved nor being resolved, each with a JID to ask and
    /// the disco node (`node#ver`). Marks them as being resolved.
    mutating func takeUnresolved() -> [(ver: String, jid: JID, node: String)] {
        var due: [(String, JID, String)] = []
        for (jid, entry) in presences where entry.record.online {
            guard let ver = entry.ver, caps[ver] == nil, !resolving.contains(ver), unverified[jid] == nil,
                  failedAsks[ver]?.contains(jid) != true else { continue }
            resolving.insert(ver)
            due.append((ver, jid, (entry.node ?? "") + "#" + ver))
        }
        return due
    }

    /// The disco#info answer for `ver` (asked of `jid`): cached when its hash matches `ver`,
    /// otherwise used for `jid` alone. Returns whether it matched.
    @discardableResult
    mutating func resolved(_ ver: String, jid: JID, node: String, info: DiscoInfo) -> Bool {
        resolving.remove(ver)
        let nodeName = String(node.prefix { $0 != "#" })
        guard EntityCapabilities(node: nodeName, info: info).ver == ver else {
            unverified[jid] = CapsInfo(info)
            return false
        }
        caps[ver] = CapsInfo(info)
        return true
    }

    /// Asking about `ver` failed (`asked` did not answer, or nil when the request could not be
    /// sent): `takeUnresolved` offers another JID advertising it at once. Waiting for the next
    /// presence is not enough: a fleet shares one `ver`, and its presences all came at login.
    mutating func unresolved(_ ver: String, asked: JID? = nil) {
        resolving.remove(ver)
        if let asked { failedAsks[ver, default: []].insert(asked) }
    }

    /// Whether any caps of an online entity still wait for their disco#info.
    var waitingForCaps: Bool { !resolving.isEmpty }

    /// The devices, sorted by JID: one per full JID whose caps say it is a device.
    var devices: [DeviceRecord] {
        var list: [DeviceRecord] = []
        for (jid, entry) in presences where jid.resource != nil {
            guard let info = unverified[jid] ?? entry.ver.flatMap({ caps[$0] }), info.isDevice else { continue }
            var record = entry.record
            record.name = info.name
            record.version = info.version
            record.model = info.model
            record.ver = entry.ver
            list.append(record)
        }
        let present = Set(list.map(\.jid.bare))
        for var record in known where !present.contains(record.jid.bare) {
            record.online = false
            record.show = nil
            list.append(record)
        }
        return list.sorted { $0.jid.description < $1.jid.description }
    }

    /// The online devices' full JIDs whose bare JID is `bare` (or every online device).
    func onlineDevices(matching bare: JID? = nil) -> [JID] {
        devices.filter { $0.online && (bare == nil || $0.jid.bare == bare) }.map(\.jid)
    }
}
