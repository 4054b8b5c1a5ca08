/// Where a control's values go: the profile's `target` table, checked and typed.
package enum OutputSpec: Sendable, Hashable {
    /// A sysfs attribute (LED brightness, PWM duty cycle, legacy GPIO value).
    case sysfs(SysfsTarget)
    /// A line of a GPIO chip through the character device, held by the agent while it runs.
    case gpio(GPIOTarget)
    /// A command that receives the value as an argument.
    case command(CommandTarget)
    /// State kept in memory: the simulator's relay, dimmer, LED and mode.
    case simulated

    package var kind: String {
        switch self {
        case .sysfs: "sysfs"
        case .gpio: "gpio"
        case .command: "command"
        case .simulated: "simulated"
        }
    }
}

/// A sysfs attribute. Booleans are written as `on`/`off` texts; numbers as
/// `value * scale + offset`, rounded to an integer (sysfs attributes take integers).
package struct SysfsTarget: Sendable, Hashable {
    package var path: String
    package var onText: String
    package var offText: String
    package var scale: Double
    package var offset: Double
    /// Attribute writes done once before the first value, such as `trigger` = `none` so that a
    /// LED obeys `brightness` instead of the kernel's heartbeat.
    package var setup: [SysfsWrite]
    /// Read the attribute back after writing, to report what the kernel accepted.
    package var readback: Bool

    package init(
        path: String, onText: String = "1", offText: String = "0", scale: Double = 1, offset: Double = 0,
        setup: [SysfsWrite] = [], readback: Bool = true
    ) {
        self.path = path
        self.onText = onText
        self.offText = offText
        self.scale = scale
        self.offset = offset
        self.setup = setup
        self.readback = readback
    }
}

/// One attribute write, for `SysfsTarget.setup`.
package struct SysfsWrite: Sendable, Hashable {
    package var path: String
    package var value: String
    package init(path: String, value: String) {
        self.path = path
        self.value = value
    }
}

/// A command output: `{value}` in any argv element is replaced by the value's text, as one argv
/// element, never through a shell. An optional second command reads the state back.
package struct CommandTarget: Sendable, Hashable {
    package var command: CommandSpec
    package var readback: CommandSpec?
    package var extraction: Extraction

    package init(command: CommandSpec, readback: CommandSpec? = nil, extraction: Extraction = Extraction()) {
        self.command = command
        self.readback = readback
        self.extraction = extraction
    }
}
