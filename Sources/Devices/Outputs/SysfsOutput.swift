import Readings

/// A sysfs attribute: LED `brightness`, PWM `duty_cycle`, legacy GPIO `value`.
struct SysfsOutput: ControlOutput {
    let target: SysfsTarget
    let paths: HostPaths
    /// An LED or PWM chip behind I²C can wedge a write or a read-back.
    var blocking: Blocking { .mayHang }

    private var path: String { paths.resolve(target.path) }

    func prepare(_ definition: ControlDefinition) throws(DeviceError) -> ControlValue? {
        for setup in target.setup {
            try HostFiles.write(paths.resolve(setup.path), setup.value)
        }
        if let initial = definition.initial { return try write(initial, definition) }
        return target.readback ? try readBack(definition) : nil
    }

    func write(_ value: ControlValue, _ definition: ControlDefinition) throws(DeviceError) -> ControlValue? {
        try HostFiles.write(path, text(for: value))
        return target.readback ? try readBack(definition) : nil
    }

    func peek(_ definition: ControlDefinition) throws(DeviceError) -> ControlValue? {
        target.readback ? try readBack(definition) : nil
    }

    /// The attribute text for a value: on/off texts for booleans, `value * scale + offset` as an
    /// integer for numbers (sysfs number attributes are integers), the text itself otherwise.
    func text(for value: ControlValue) -> String {
        switch value {
        case .boolean(let b): return b ? target.onText : target.offText
        case .int(let i): return number(Double(i))
        case .double(let d): return number(d)
        default: return value.description
        }
    }

    private func number(_ d: Double) -> String {
        NumberFormat.shortest((d * target.scale + target.offset).rounded())
    }

    private func readBack(_ definition: ControlDefinition) throws(DeviceError) -> ControlValue? {
        let text = try HostFiles.value(path)
        switch definition.type {
        case .boolean:
            if text == target.onText { return .boolean(true) }
            if text == target.offText { return .boolean(false) }
            return definition.decode(.text(text))
        case .int, .double:
            guard let n = Double(text), target.scale != 0 else { return nil }
            let value = (n - target.offset) / target.scale
            return definition.decode(.number(definition.type == .int ? value.rounded() : value))
        default:
            return definition.decode(.text(text))
        }
    }
}
