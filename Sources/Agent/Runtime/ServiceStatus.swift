import Support
import Session
import XEPs
import XMPPCore

/// The one line `systemctl status kinglet` shows under the unit: connected or not and where,
/// the backlog, and what fails. `online as sensor-7@example.org/kinglet via
/// xmpp.example.org:5222 · 0 readings waiting · sensors OK`.
enum ServiceStatus {
    static func text(boundJID: JID?, connection: ConnectionInfo, device: DeviceStatus) -> String {
        var parts: [String] = []
        if let boundJID {
            parts.append("online as \(boundJID)" + (connection.server.map { " via \($0)" } ?? ""))
        } else if let ending = connection.lastDisconnect {
            parts.append("offline (\(ending.reason.prefix(120)))")
        } else {
            parts.append("connecting")
        }
        let pending = device.pendingReadings
        parts.append(pending.counted("reading") + " waiting")
        if device.outboxDegraded { parts.append("outbox in memory (disk not writable)") }
        let failing = device.health.problems.map(\.name)
        parts.append(failing.isEmpty ? "sensors OK" : "failing: " + failing.joined(separator: ", "))
        return parts.joined(separator: " · ")
    }
}
