import Readings
import Store
import Support
import XMPPCore

/// Answers one chat command for someone allowed to read (viewer or operator): short, human
/// text with units, a few lines at most. Strangers never get here.
struct ChatResponder: Sendable {
    let services: DeviceServices
    private let log = Logger("chat")

    init(services: DeviceServices) {
        self.services = services
    }

    /// The reply text. `sentAt` is the XEP-0203 stamp of a message the server kept while the
    /// device was offline.
    func reply(to command: ChatCommand, from: JID, role: Role, sentAt: String?) async -> String {
        switch command {
        case .help: return help(for: role)
        case .status: return await services.status().text
        case .read(let names): return await read(names)
        case .history(let names, let span): return await history(names, span: span)
        case .set(let assignments): return await set(assignments, from: from, role: role, sentAt: sentAt)
        case .usage(let usage): return usage
        case .unknown(let word): return "unknown command '\(word.count > 32 ? word.prefix(32) + "…" : word)'; try help"
        case .empty: return "try help"
        }
    }

    private func help(for role: Role) -> String {
        let controls = services.controls.map { "\($0.name) (\($0.expectation))" }.joined(separator: ", ")
        var lines = [
            "help: this list", "status: health, uptime, backlog", "read [NAME...]: current values, all without a name",
        ]
        if services.store?.keepsHistory == true {
            lines.append("read NAME... SPAN: min, mean and max over the last SPAN (90s, 30m, 1h, 7d), e.g. read temperature 1h")
        }
        if role >= .operator {
            lines.append("set NAME VALUE [NAME VALUE...]: change controls together, e.g. set relay on dimmer 40")
            if !controls.isEmpty { lines.append("controls: " + controls) }
        } else {
            lines.append("set NAME VALUE: for operators; you may read")
        }
        return lines.joined(separator: "\n")
    }

    private func read(_ names: [String]) async -> String {
        let readings = await services.device.currentReadings()
        guard !names.isEmpty else {
            let shown = readings.filter { $0.fieldType != .identity }
            return shown.isEmpty ? "nothing to read" : shown.map(HumanText.line).joined(separator: "\n")
        }
        var lines: [String] = []
        for name in names.prefix(16) {
            if let reading = readings.first(where: { $0.name == name }) ?? readings.first(where: { $0.name.lowercased() == name.lowercased() }) {
                lines.append(HumanText.line(reading))
            } else {
                lines.append("no sensor or control named '\(name.prefix(32))'; known: " + readings.map(\.name).joined(separator: ", "))
            }
        }
        return lines.joined(separator: "\n")
    }

    /// `read temperature 1h`: the smallest, mean and largest value and how many there were,
    /// from the store's history (and what waits to be sent) over the last `span`.
    private func history(_ names: [String], span: Duration) async -> String {
        let spanText = ChatCommand.spanText(span)
        guard let store = services.store, store.keepsHistory else {
            return "no history is kept here ([store] history_max_age); without the span, read shows the current values"
        }
        let to = services.clock.wallTime()
        let from = to.adding(milliseconds: -span.milliseconds)
        var lines: [String] = []
        for name in names.prefix(8) {
            let sensors = services.device.profile.sensors
            guard let sensor = sensors.first(where: { $0.name == name }) ?? sensors.first(where: { $0.name.lowercased() == name.lowercased() }) else {
                lines.append("no sensor named '\(name.prefix(32))'; sensors: " + sensors.map(\.name).joined(separator: ", "))
                continue
            }
            let summary: ReadingSummary
            do {
                summary = try await store.summary(name: sensor.name, from: from, to: to)
            } catch {
                lines.append("\(sensor.name): cannot read the history: \(error)")
                continue
            }
            guard summary.count > 0, let mean = summary.mean else {
                lines.append("\(sensor.name): no numbers in the last \(spanText)")
                continue
            }
            func shown(_ value: Double) -> String {
                let text = NumberFormat.fixed(value, sensor.decimals ?? 2)
                return sensor.unit.isEmpty ? text : text + " " + sensor.unit
            }
            lines.append(
                "\(sensor.name) over the last \(spanText): min \(shown(summary.minimum)), mean \(shown(mean)), "
                    + "max \(shown(summary.maximum)) (\(summary.count.counted("reading")))")
        }
        return lines.joined(separator: "\n")
    }

    /// Every assignment checked first; applied in order only when all fit; one reply.
    private func set(_ assignments: [ChatCommand.Assignment], from: JID, role: Role, sentAt: String?) async -> String {
        guard role >= .operator else { return "not allowed: viewers may only read; set needs an operator" }
        if let sentAt {
            return "not applied: this set was sent at \(sentAt) while the device was offline; send it again if it still holds"
        }
        var requests: [SetRequest] = []
        for assignment in assignments {
            guard let control = services.control(named: assignment.name) else {
                return services.controls.notAControl(assignment.name, sensors: services.device.profile.sensors.map(\.name))
            }
            requests.append(SetRequest(control, assignment.value))
        }
        let outcome = await services.set(requests, by: "\(from.bare)")
        log.info("\(from): \(outcome.logText) (chat)")
        return outcome.text
    }
}
