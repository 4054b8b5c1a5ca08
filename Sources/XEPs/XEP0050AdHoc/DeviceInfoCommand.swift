import Session
import Support
import XMPPCore

/// "Device information": runs at once and answers with the device's identity fields, the agent
/// version, uptime, health and backlog.
struct DeviceInfoCommand: AdHocCommand {
    let services: DeviceServices

    var node: String { "device-info" }
    var name: String { "Device information" }
    var requiredRole: Role { .viewer }
    var stageCount: Int { 0 }

    func form(stage: Int, submitted: [DataForm?]) async -> DataForm {
        DataForm(.form)  // never shown: the command has no stages
    }

    func complete(submitted: [DataForm], requester: JID) async -> CommandOutcome {
        let status = await services.status()
        let identity = await services.device.currentReadings(types: [.identity])
        var fields = identity.map { DataFormField($0.name, type: .textSingle, label: $0.name, values: [HumanText.value(of: $0)]) }
        let profile = status.description.isEmpty ? status.device.profile : "\(status.device.profile): \(status.description)"
        fields += [
            DataFormField("kinglet-version", type: .textSingle, label: "Agent", values: ["\(KingletVersion.name) \(KingletVersion.string)"]),
            DataFormField("kinglet-profile", type: .textSingle, label: "Device profile", values: [profile]),
            DataFormField("kinglet-uptime", type: .textSingle, label: "Uptime", values: [HumanText.duration(status.uptime)]),
            DataFormField("kinglet-health", type: .textSingle, label: "Health", values: [status.device.health.summary]),
        ]
        let lastSet = await services.lastSetLines()
        if !lastSet.isEmpty {
            fields.append(DataFormField("kinglet-last-set", type: .textMulti, label: "Controls last set", values: lastSet))
        }
        if let connection = await services.connection() {
            fields += Self.connectionFields(connection, now: services.clock.wallTime())
        }
        if status.hasOutbox {
            let outbox = status.backlog + (status.device.outboxDegraded ? "; kept in memory (disk not writable)" : "")
            fields.append(DataFormField("kinglet-outbox", type: .textSingle, label: "Outbox", values: [outbox]))
        }
        return .completed([], DataForm(.result, title: name, fields: fields))
    }

    /// Server, TLS, since when online, and the last disconnect with its reason.
    static func connectionFields(_ connection: ConnectionInfo, now: Timestamp) -> [DataFormField] {
        func ago(_ time: Timestamp) -> String {
            "\(time) (\(HumanText.duration(.milliseconds(now.millisecondsSinceEpoch - time.millisecondsSinceEpoch))) ago)"
        }
        var fields: [DataFormField] = []
        if let server = connection.server {
            fields.append(DataFormField("kinglet-server", type: .textSingle, label: "Server", values: [server]))
        }
        if let tls = connection.tls {
            fields.append(DataFormField("kinglet-tls", type: .textSingle, label: "TLS", values: [tls.line]))
        }
        if let since = connection.onlineSince {
            fields.append(DataFormField("kinglet-online-since", type: .textSingle, label: "Connected since", values: [ago(since)]))
        }
        let last = connection.lastDisconnect.map { "\(ago($0.at)): \($0.reason)" } ?? "none since the agent started"
        fields.append(DataFormField("kinglet-last-disconnect", type: .textSingle, label: "Last disconnect", values: [last]))
        return fields
    }
}
