package import Store
package import TOML
package import XEPs

/// Everything `kinglet run` needs, read from one TOML file. Every problem is reported as
/// `FILE:LINE: message`, the first one found.
package struct AgentConfiguration: Sendable {
    package var file: String
    package var xmpp: XMPPSettings
    package var access: AccessSettings
    package var log: LogSettings
    package var store: StoreConfiguration
    package var device: DeviceSettings
    package var publish: PublishSettings
    package var presence: PresenceConfiguration
    package var fleet: FleetSettings
    package var limits: LimitsSettings
    /// Things worth telling the operator that do not stop the agent.
    package var warnings: [String] = []

    static let sections: Set<String> = ["xmpp", "device", "access", "store", "publish", "presence", "log", "fleet", "limits"]

    package static func load(path: String) throws(TOMLError) -> AgentConfiguration {
        try AgentConfiguration(document: TOMLDocument.load(path: path, secretKeys: XMPPSettings.secretKeys))
    }

    package init(document: TOMLDocument) throws(TOMLError) {
        let root = document.root
        file = document.file
        try root.rejectUnknownKeys(allowed: Self.sections)
        var warnings: [String] = []
        xmpp = try XMPPSettings(root.requireTable("xmpp"), warn: { warnings.append($0) })
        access = try root.table("access").map { t throws(TOMLError) in try AccessSettings(t) } ?? AccessSettings()
        log = try root.table("log").map { t throws(TOMLError) in try LogSettings(t) } ?? LogSettings()
        let directory = document.file.contains("/") ? String(document.file[..<document.file.lastIndex(of: "/")!]) : "."
        device = try DeviceSettings(root.requireTable("device"), configDirectory: directory.isEmpty ? "/" : directory)
        store = try root.table("store").map { t throws(TOMLError) in try StoreConfiguration(t) }
            ?? StoreConfiguration(path: StoreConfiguration.defaultPath)
        publish = try root.table("publish").map { t throws(TOMLError) in try PublishSettings(t) } ?? PublishSettings()
        presence = try root.table("presence").map { t throws(TOMLError) in try PresenceConfiguration(t) } ?? PresenceConfiguration()
        fleet = try root.table("fleet").map { t throws(TOMLError) in try FleetSettings(t) } ?? FleetSettings()
        limits = try root.table("limits").map { t throws(TOMLError) in try LimitsSettings(t) } ?? LimitsSettings()
        self.warnings = warnings
    }
}
