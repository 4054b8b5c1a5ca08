import Synchronization
import Readings

/// A GPIO output line, requested at `prepare` and held until the output is released. The line
/// starts at the control's initial value (off when none is given): requesting a line as an output
/// always drives it.
final class GPIOOutput: ControlOutput {
    let target: GPIOTarget
    let paths: HostPaths
    /// The held line; the mutex also keeps two writes from interleaving their ioctls.
    private let line = Mutex<GPIOLine?>(nil)
    /// ioctls on the chip's character device, which wait on no bus.
    var blocking: Blocking { .never }

    init(target: GPIOTarget, paths: HostPaths) {
        self.target = target
        self.paths = paths
    }

    func prepare(_ definition: ControlDefinition) throws(DeviceError) -> ControlValue? {
        let initial = definition.initial.map(Self.level) ?? false
        let held = try GPIOLine.output(target, paths: paths, initial: initial)
        let value = try held.get()
        line.withLock { $0 = held }
        return .boolean(value)
    }

    func write(_ value: ControlValue, _ definition: ControlDefinition) throws(DeviceError) -> ControlValue? {
        try line.withLock { held throws(DeviceError) -> ControlValue? in
            if let line = held {
                try line.set(Self.level(value))
                return .boolean(try line.get())
            }
            // The request failed at start (chip missing, line busy): try again now, straight
            // at the wanted level.
            let line = try GPIOLine.output(target, paths: paths, initial: Self.level(value))
            held = line
            return .boolean(try line.get())
        }
    }

    /// A line's value can only be read by requesting it, and requesting it as an output drives
    /// it: so there is nothing to peek at.
    func peek(_ definition: ControlDefinition) throws(DeviceError) -> ControlValue? { nil }

    /// A control value as a line level: booleans as they are, numbers non-zero.
    static func level(_ value: ControlValue) -> Bool {
        switch value {
        case .boolean(let b): b
        case .int(let i): i != 0
        case .double(let d): d != 0
        default: false
        }
    }
}
