package import Devices
package import Session
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
    /// The session's connection (server, TLS, since when, the last disconnect), for "Device
    /// information"; nil without a session.
    package let connection: @Sendable () async -> ConnectionInfo?
    /// Validate-then-apply, shared with XEP-0325.
    private let applier: ControlApplier
    private let startedAt: Duration

    /// Uptime counts from here.
    package init(
        device: Device, store: ReadingStore?, clock: any AgentClock = SystemClock(),
        connection: @escaping @Sendable () async -> ConnectionInfo? = { nil }
    ) {
        self.device = device
        self.store = store
        self.clock = clock
        self.connection = connection
        applier = ControlApplier(device: device)
        startedAt = clock.now()
    }

    /// The controls, in profile order.
    package var controls: [ControlDefinition] { applier.controls }

    /// The control called `name`, ignoring case (people type `Relay`).
    package func control(named name: String) -> ControlDefinition? {
        controls.named(name)
    }

    /// Parses and checks every text for its control; only when all of them fit, applies them in
    /// the order given. Returns the values now in force, or why values do not fit (then nothing
    /// was touched), or why a target failed (those before it stay applied: hardware cannot be
    /// rolled back). `setter` (the person's bare JID) is kept with the values.
    package func set(_ requests: [SetRequest], by setter: String) async -> SetOutcome {
        var changes: [ControlChange] = []
        var problems: [String] = []
        for request in requests {
            do throws(ControlError) {
                let change = try applier.change(request.control.name, text: request.text)
                _ = try applier.validate([change])
                changes.append(change)
            } catch {
                problems.append(
                    error.kind == .invalidValue ? request.control.refusal(of: request.text) : SetOutcome.sentence(for: error))
            }
        }
        guard problems.isEmpty else { return .refused(problems, requested: requests.count) }
        var applied: [AppliedValue] = []
        for (request, change) in zip(requests, changes) {
            do throws(ControlError) {
                let done = try await applier.apply([change], by: setter)
                applied.append(AppliedValue(control: request.control, value: done.first?.value ?? change.value))
            } catch {
                return .failed(applied: applied, reason: SetOutcome.sentence(for: error))
            }
        }
        return .applied(applied)
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

/// One control and the text a person typed for it.
package struct SetRequest: Sendable, Hashable {
    package var control: ControlDefinition
    package var text: String

    package init(_ control: ControlDefinition, _ text: String) {
        self.control = control
        self.text = text
    }
}

/// A control and the value now in force on it (as read back).
package struct AppliedValue: Sendable, Hashable {
    package var control: ControlDefinition
    package var value: ControlValue

    /// `relay is now on`, `dimmer is now 40 %`.
    package var sentence: String { "\(control.name) is now \(HumanText.value(value, of: control))" }
}

/// What came of a person's request to set controls.
package enum SetOutcome: Sendable, Hashable {
    /// Every value applied, in order.
    case applied([AppliedValue])
    /// Nothing was touched: what is wrong with each value that does not fit.
    case refused([String], requested: Int)
    /// A target failed: what was applied before it, and why it failed.
    case failed(applied: [AppliedValue], reason: String)

    /// The one reply: `relay is now on, dimmer is now 40 %`; `dimmer must be …; nothing was set`.
    package var text: String {
        switch self {
        case .applied(let values):
            return values.map(\.sentence).joined(separator: ", ")
        case .refused(let problems, let requested):
            return problems.joined(separator: "; ") + (requested > 1 ? "; nothing was set" : "")
        case .failed(let applied, let reason):
            return (applied.map(\.sentence) + [reason]).joined(separator: "; ")
        }
    }

    /// For the log: `set relay to on, dimmer to 40`, or the reply when not everything applied.
    package var logText: String {
        guard case .applied(let values) = self else { return text }
        return "set " + values.map { "\($0.control.name) to \($0.value)" }.joined(separator: ", ")
    }

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
        device.pendingReadings.counted("reading") + " waiting to be sent"
    }
}
