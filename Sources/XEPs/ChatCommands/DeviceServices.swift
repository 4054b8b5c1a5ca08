package import Devices
package import Store
import Support

/// What people's commands work with, in chat and in ad-hoc commands: the device, the outbox (for
/// the backlog) and a monotonic clock for uptime, throttling and command-session expiry.
package struct DeviceServices: Sendable {
    package let sampler: Sampler
    package let store: ReadingStore?
    /// Monotonic, so that uptime and expiry survive the wall clock jumping when an SBC without
    /// a real-time clock gets its time from NTP.
    package let clock: any SamplerClock
    private let startedAt: Duration

    /// Uptime counts from here.
    package init(sampler: Sampler, store: ReadingStore?, clock: any SamplerClock = SystemSamplerClock()) {
        self.sampler = sampler
        self.store = store
        self.clock = clock
        startedAt = clock.now()
    }

    /// The controls, in profile order.
    package var controls: [ControlDefinition] { sampler.controls }

    /// The control called `name`, ignoring case (people type `Relay`).
    package func control(named name: String) -> ControlDefinition? {
        controls.first { $0.name == name } ?? controls.first { $0.name.lowercased() == name.lowercased() }
    }

    /// Parses `text` for `control`, applies it and returns the value now in force, or a sentence
    /// saying what is wrong (`dimmer must be a whole number between 0 and 100 %, not 150`).
    package func set(_ control: ControlDefinition, to text: String) async -> ControlChange {
        let value: ControlValue
        do {
            value = try control.parse(text)
        } catch {
            return .refused(error, control.refusal(of: text))
        }
        do {
            return .applied(try await sampler.apply(control.name, value))
        } catch {
            return .refused(error, ControlChange.sentence(for: error))
        }
    }

    /// Health, uptime and backlog, as `status` and "Device information" show them.
    package func status() async -> DeviceStatus {
        let pending = await store?.stats().pendingReadings
        return DeviceStatus(
            profile: sampler.profile.name, description: sampler.profile.description, health: await sampler.health(),
            uptime: clock.now() - startedAt, pendingReadings: pending)
    }
}

/// What came of a person's request to set a control.
package enum ControlChange: Sendable, Hashable {
    /// The value now in force (as read back).
    case applied(ControlValue)
    /// Nothing was applied, or the target failed; the text says why, for a person.
    case refused(ControlError, String)

    static func sentence(for error: ControlError) -> String {
        switch error.kind {
        case .unknownParameter: "no control named '\(error.parameter)'"
        case .invalidValue: "\(error.parameter): \(error.message)"
        case .busy: "\(error.parameter) is busy: \(error.message)"
        case .failed: "could not set \(error.parameter): \(error.message)"
        }
    }
}

/// A snapshot of how the device is doing.
package struct DeviceStatus: Sendable, Hashable {
    package var profile: String
    package var description: String
    package var health: DeviceHealth
    /// Since the agent started.
    package var uptime: Duration
    /// Readings in the outbox not yet acknowledged by the server; nil without a store.
    package var pendingReadings: Int?

    /// Two or three short lines: health, then uptime, version and backlog.
    package var text: String {
        var second = "up \(HumanText.duration(uptime)) · \(KingletVersion.name) \(KingletVersion.string)"
        if let pendingReadings {
            second += " · " + (pendingReadings == 1 ? "1 reading" : "\(pendingReadings) readings") + " waiting to be sent"
        }
        return "\(profile): \(health.summary)\n\(second)"
    }
}
