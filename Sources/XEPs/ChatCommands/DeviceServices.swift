package import Devices
package import Readings
package import Store
package import Support

/// What people's commands work with, in chat and in ad-hoc commands: the device, the outbox (for
/// the backlog) and a monotonic clock for uptime, throttling and command-session expiry.
package struct DeviceServices: Sendable {
    package let device: Device
    package let store: ReadingStore?
    /// Monotonic, so that uptime and expiry survive the wall clock jumping when an SBC without
    /// a real-time clock gets its time from NTP.
    package let clock: any AgentClock
    /// Validate-then-apply, shared with XEP-0325.
    private let applier: ControlApplier
    private let startedAt: Duration

    /// Uptime counts from here.
    package init(device: Device, store: ReadingStore?, clock: any AgentClock = SystemClock()) {
        self.device = device
        self.store = store
        self.clock = clock
        applier = ControlApplier(device: device)
        startedAt = clock.now()
    }

    /// The controls, in profile order.
    package var controls: [ControlDefinition] { applier.controls }

    /// The control called `name`, ignoring case (people type `Relay`).
    package func control(named name: String) -> ControlDefinition? {
        controls.named(name)
    }

    /// Parses `text` for `control`, applies it and returns the value now in force, or a sentence
    /// saying what is wrong (`dimmer must be a whole number between 0 and 100 %, not 150`).
    /// `setter` (the person's bare JID) is kept with the value.
    package func set(_ control: ControlDefinition, to text: String, by setter: String) async -> SetOutcome {
        do {
            let change = try applier.change(control.name, text: text)
            let applied = try await applier.apply([change], by: setter)
            return .applied(applied.first?.value ?? change.value)
        } catch {
            return .refused(error, error.kind == .invalidValue ? control.refusal(of: text) : SetOutcome.sentence(for: error))
        }
    }

    /// Health, uptime and backlog, as `status` and "Device information" show them.
    package func status() async -> StatusReport {
        let status = await DeviceStatus.current(device: device, store: store)
        var report = StatusReport(
            device: status, description: device.profile.description, uptime: clock.now() - startedAt, hasOutbox: store != nil)
        report.lastSet = LastSetText.brief(await device.lastSets(), controls: controls, now: clock.wallTime())
        return report
    }

    /// Who set each control last, one line each with the time, for "Device information".
    package func lastSetLines() async -> [String] {
        LastSetText.lines(await device.lastSets(), controls: controls)
    }

    /// What a restart does to each output, for "Restart agent".
    package func restartOutlook() async -> String {
        LastSetText.restartOutlook(await device.lastSets(), controls: controls)
    }
}

/// What came of a person's request to set a control.
package enum SetOutcome: Sendable, Hashable {
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

/// How the device is doing, for people: the presence's `DeviceStatus` plus uptime.
package struct StatusReport: Sendable, Hashable {
    package var device: DeviceStatus
    /// The profile's description.
    package var description: String
    /// Since the agent started.
    package var uptime: Duration
    /// Whether there is an outbox whose backlog counts.
    package var hasOutbox: Bool
    /// Who set the controls last (`last set: relay on by alice@example.org 5m ago`), if anyone.
    package var lastSet: String?

    /// Two short lines: health, then uptime, version and backlog; a third with who set the
    /// controls last, when anyone did.
    package var text: String {
        var first = "\(device.profile): \(device.health.summary)"
        if device.outboxDegraded { first += "; outbox kept in memory (disk not writable)" }
        var second = "up \(HumanText.duration(uptime)) · \(KingletVersion.name) \(KingletVersion.string)"
        if hasOutbox { second += " · " + backlog }
        return first + "\n" + second + (lastSet.map { "\n" + $0 } ?? "")
    }

    /// `1 reading waiting to be sent`, `12 readings …`.
    package var backlog: String {
        (device.pendingReadings == 1 ? "1 reading" : "\(device.pendingReadings) readings") + " waiting to be sent"
    }
}
