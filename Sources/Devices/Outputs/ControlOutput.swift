package import Readings
package import Support

/// Drives one control's target. Values reach an output only after `ControlDefinition.validate`.
package protocol ControlOutput: Sendable {
    /// Operations that may block (a sysfs write or read-back, a command) run on a thread of
    /// their own with a deadline.
    var blocking: Blocking { get }
    /// How long one operation off the actor gets before the control is reported failing.
    var deadline: Duration { get }
    /// Gets the target ready (setup writes, holding a GPIO line), writes `initial` if given, and
    /// returns the target's current value where it can be read.
    func prepare(_ definition: ControlDefinition) throws(DeviceError) -> ControlValue?
    /// Writes a validated value and returns what the target reports back, or nil when it cannot
    /// be read back.
    func write(_ value: ControlValue, _ definition: ControlDefinition) throws(DeviceError) -> ControlValue?
    /// The target's current value, read without changing anything (no setup, no initial value,
    /// no GPIO request, which would drive the line); nil when it cannot be read that way.
    func peek(_ definition: ControlDefinition) throws(DeviceError) -> ControlValue?
}

extension ControlOutput {
    package var deadline: Duration { Blocking.deadline }

    /// `prepare` as the device would run it, for `kinglet set`, which has no device: off the
    /// caller's thread with the output's deadline when it may block, so a wedged attribute
    /// fails the set with its path instead of hanging the command.
    package func boundedPrepare(_ definition: ControlDefinition, clock: any AgentClock = SystemClock()) async throws(DeviceError) -> ControlValue? {
        guard blocking != .never else { return try prepare(definition) }
        let work = BoundedWork(limit: deadline, clock: clock) { () throws(DeviceError) in try prepare(definition) }
        return try await work.outcome(clock: clock).get()
    }
}

/// Builds the output for a spec, bound to the host's paths.
package enum OutputFactory {
    package static func make(_ spec: OutputSpec, paths: HostPaths) -> any ControlOutput {
        switch spec {
        case .sysfs(let target): SysfsOutput(target: target, paths: paths)
        case .gpio(let target): GPIOOutput(target: target, paths: paths)
        case .command(let target): CommandOutput(target: target)
        case .simulated: SimulatedOutput()
        }
    }
}

extension ControlDefinition {
    /// A value read back from a target, in this control's type. Limits are not applied: the
    /// hardware's state is what it is. Nil when the text makes no sense for the type.
    func decode(_ raw: RawValue) -> ControlValue? {
        switch (type, raw) {
        case (.boolean, .boolean(let b)): return .boolean(b)
        case (.boolean, .number(let n)): return .boolean(n != 0)
        case (.boolean, .text(let t)):
            // LED brightness reads back as 0..max_brightness.
            if let n = Double(t.trimmingSpaces) { return .boolean(n != 0) }
            return BooleanText.parse(t).map(ControlValue.boolean)
        case (.int, .number(let n)): return n.isFinite && abs(n) < 9e15 ? .int(Int64(n.rounded())) : nil
        case (.int, .text(let t)): return Double(t.trimmingSpaces).flatMap { decode(.number($0)) }
        case (.double, .number(let n)): return .double(n)
        case (.double, .text(let t)): return Double(t.trimmingSpaces).map(ControlValue.double)
        case (.string, .text(let t)): return .string(t.trimmingSpaces)
        case (.enumeration, .text(let t)):
            let word = t.trimmingSpaces
            return values.contains(word) ? .enumeration(word) : nil
        case (.color, .text(let t)): return Color(hex: t.trimmingSpaces).map(ControlValue.color)
        default: return nil
        }
    }

    /// The value a control starts from when the profile gives none and the target cannot be read.
    var neutralValue: ControlValue {
        switch type {
        case .boolean: .boolean(false)
        case .int: .int(Int64(max(minimum ?? 0, min(maximum ?? 0, 0))))
        case .double: .double(max(minimum ?? 0, min(maximum ?? 0, 0)))
        case .string: .string("")
        case .enumeration: .enumeration(values.first ?? "")
        case .color: .color(Color(red: 0, green: 0, blue: 0))
        }
    }
}

/// The simulator's outputs: the value is the state, so a readout after a set shows it.
struct SimulatedOutput: ControlOutput {
    var blocking: Blocking { .never }
    func prepare(_ definition: ControlDefinition) throws(DeviceError) -> ControlValue? {
        definition.initial ?? definition.neutralValue
    }
    func write(_ value: ControlValue, _ definition: ControlDefinition) throws(DeviceError) -> ControlValue? { value }
    func peek(_ definition: ControlDefinition) throws(DeviceError) -> ControlValue? { try prepare(definition) }
}
