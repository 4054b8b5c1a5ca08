import Devices
import Readings
import Support

/// Who set each control last, and what a restart does to the outputs, for people: chat
/// `status`, "Device information" and "Restart agent".
enum LastSetText {
    /// One line for `status`: `last set: relay on by alice@example.org 5m ago; dimmer 40 % by
    /// kinglet set (root) 2h 3m ago`; nil when no control was ever set.
    static func brief(_ states: [ControlState], controls: [ControlDefinition], now: Timestamp) -> String? {
        let parts = states.compactMap { state -> String? in
            guard let control = controls.first(where: { $0.name == state.name }) else { return nil }
            let age = Duration.milliseconds(now.millisecondsSinceEpoch - state.setAt.millisecondsSinceEpoch)
            return "\(state.name) \(HumanText.value(state.value, of: control)) by \(state.setBy) \(HumanText.duration(age)) ago"
        }
        return parts.isEmpty ? nil : "last set: " + parts.joined(separator: "; ")
    }

    /// One line per control ever set, with the exact time: `relay: on, by alice@example.org at
    /// 2026-11-21T08:30:00.000Z`.
    static func lines(_ states: [ControlState], controls: [ControlDefinition]) -> [String] {
        states.compactMap { state in
            guard let control = controls.first(where: { $0.name == state.name }) else { return nil }
            return "\(state.name): \(HumanText.value(state.value, of: control)), by \(state.setBy) at \(state.setAt.xsDateTime)"
        }
    }

    /// What each output does when the agent starts again: `relay back to on (as
    /// alice@example.org set it), mode to its initial value auto, status_led as the hardware
    /// has it`.
    static func restartOutlook(_ states: [ControlState], controls: [ControlDefinition]) -> String {
        let parts = controls.map { control -> String in
            if control.restore == .last, let state = states.first(where: { $0.name == control.name }),
                (try? control.validate(state.value)) != nil
            {
                return "\(control.name) back to \(HumanText.value(state.value, of: control)) (as \(state.setBy) set it)"
            }
            if let initial = control.initial {
                return "\(control.name) to its initial value \(HumanText.value(initial, of: control))"
            }
            return "\(control.name) as the hardware has it"
        }
        return parts.isEmpty ? "" : "Outputs after the restart: " + parts.joined(separator: ", ") + "."
    }
}
