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
        case .set(let name, let value): return await set(name, value, from: from, role: role, sentAt: sentAt)
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
        if role >= .operator {
            lines.append("set NAME VALUE: change a control, e.g. set relay on")
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

    private func set(_ name: String, _ text: String, from: JID, role: Role, sentAt: String?) async -> String {
        guard role >= .operator else { return "not allowed: viewers may only read; set needs an operator" }
        if let sentAt {
            return "not applied: this set was sent at \(sentAt) while the device was offline; send it again if it still holds"
        }
        guard let control = services.control(named: name) else {
            return services.controls.notAControl(name, sensors: services.device.profile.sensors.map(\.name))
        }
        switch await services.set(control, to: text, by: "\(from.bare)") {
        case .applied(let value):
            log.info("\(from) set \(control.name) to \(value) (chat)")
            return "\(control.name) is now \(HumanText.value(value, of: control))"
        case .refused(_, let message):
            log.info("\(from) could not set \(control.name): \(message)")
            return message
        }
    }
}
