package import Devices
package import Store
import Support
package import XMLStream
import XMPPCore

/// What the presence is computed from, gathered at each check.
package struct DeviceStatus: Sendable, Hashable {
    package var health: DeviceHealth
    /// Readings not yet acknowledged by the server (`StoreStats.pendingReadings`).
    package var pendingReadings: Int
    /// Readings dropped by the outbox bounds, ever.
    package var droppedReadings: UInt64
    /// The outbox cannot write to disk and keeps readings in memory.
    package var outboxDegraded: Bool
    package var profile: String

    package init(health: DeviceHealth, pendingReadings: Int = 0, droppedReadings: UInt64 = 0, outboxDegraded: Bool = false, profile: String = "") {
        self.health = health
        self.pendingReadings = pendingReadings
        self.droppedReadings = droppedReadings
        self.outboxDegraded = outboxDegraded
        self.profile = profile
    }

    /// The status now: the device's health and, when there is an outbox, its backlog.
    package static func current(device: Device, store: ReadingStore?) async -> DeviceStatus {
        var status = DeviceStatus(health: await device.health(), profile: device.profile.name)
        if let stats = await store?.stats() {
            status.pendingReadings = stats.pendingReadings
            status.droppedReadings = stats.dropped
            if case .degraded = stats.mode { status.outboxDegraded = true }
        }
        return status
    }
}

/// The presence the device shows for a `DeviceStatus`: `<show/>`, the status line and the
/// priority. Counts that grow with every reading (pending, dropped) are rounded down to 1-2-5
/// steps, so the line changes a handful of times over a long backlog, not once per reading.
package struct PresenceStatus: Sendable, Hashable {
    package var show: PresenceShow?
    package var status: String
    package var priority: Int8?

    /// Placeholders of the status template:
    /// - `{health}`: `ok`, or what is wrong: `failing: temperature, relay`, `outbox in memory`,
    ///   `500+ queued`, joined by `; `;
    /// - `{sensors}`, `{controls}`: how many the device has (absent optional sensors left out);
    /// - `{failing}`: the failing sensors and controls, comma-separated, or `none`;
    /// - `{failing_count}`: how many fail;
    /// - `{problems}`: the failing ones with their reasons, or `N sensors, M controls OK`;
    /// - `{pending}`: readings waiting to be sent, `0` below the backlog threshold, else rounded
    ///   down to a 1-2-5 step with a `+` (`200+`);
    /// - `{dropped}`: readings dropped by the outbox bounds, ever, rounded the same way;
    /// - `{profile}`: the device profile's name; `{version}`: the agent's version.
    package static let placeholders: Set<String> = [
        "health", "sensors", "controls", "failing", "failing_count", "problems", "pending", "dropped", "profile", "version",
    ]

    /// Status lines are cut to this many characters: clients show one line.
    static let maximumLength = 200

    package init(show: PresenceShow?, status: String, priority: Int8? = nil) {
        self.show = show
        self.status = status
        self.priority = priority
    }

    package init(_ device: DeviceStatus, configuration: PresenceConfiguration) {
        let failing = !device.health.problems.isEmpty || device.outboxDegraded
        let backlog = device.pendingReadings >= max(1, configuration.backlogThreshold)
        show = failing ? configuration.failingShow : backlog ? configuration.backlogShow : nil
        priority = configuration.priority
        let line = configuration.status.render { name in
            Self.value(of: name, device, backlog: backlog)
        }
        status = line.count > Self.maximumLength ? String(line.prefix(Self.maximumLength - 1)) + "…" : line
    }

    private static func value(of placeholder: String, _ device: DeviceStatus, backlog: Bool) -> String {
        let names = device.health.problems.map(\.name)
        switch placeholder {
        case "health":
            var parts: [String] = []
            if !names.isEmpty { parts.append("failing: " + names.joined(separator: ", ")) }
            if device.outboxDegraded { parts.append("outbox in memory") }
            if backlog { parts.append(roughCount(device.pendingReadings) + " queued") }
            return parts.isEmpty ? "ok" : parts.joined(separator: "; ")
        case "sensors": return String(device.health.sensorCount)
        case "controls": return String(device.health.controlCount)
        case "failing": return names.isEmpty ? "none" : names.joined(separator: ", ")
        case "failing_count": return String(names.count)
        case "problems": return device.health.summary
        case "pending": return backlog ? roughCount(device.pendingReadings) : "0"
        case "dropped": return roughCount(Int(clamping: device.droppedReadings))
        case "profile": return device.profile
        case "version": return KingletVersion.string
        default: return "{\(placeholder)}"
        }
    }

    /// `0`, or the largest of 1, 2, 5, 10, 20, 50, ... not above `count`, with a `+`.
    static func roughCount(_ count: Int) -> String {
        guard count > 0 else { return "0" }
        var decade = 1
        while decade <= count / 10 { decade *= 10 }
        let step = count >= 5 * decade ? 5 * decade : count >= 2 * decade ? 2 * decade : decade
        return "\(step)+"
    }

    /// The presence stanza, with the caps.
    package func element(caps: EntityCapabilities) -> XMLElement {
        XMLElement("presence", namespace: Namespace.client) {
            if let show { XMLElement("show", text: show.rawValue) }
            if !status.isEmpty { XMLElement("status", text: status) }
            if let priority { XMLElement("priority", text: String(priority)) }
            caps.element
        }
    }
}
