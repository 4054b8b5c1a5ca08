/// A line of a GPIO chip: its offset, or the name the chip (or the device tree) gives it.
/// Integer and string literals both work: `line: 17`, `line: "door"`.
package enum GPIOLineID: Sendable, Hashable, CustomStringConvertible, ExpressibleByIntegerLiteral,
    ExpressibleByStringLiteral
{
    case offset(UInt32)
    case name(String)

    package init(integerLiteral value: UInt32) { self = .offset(value) }
    package init(stringLiteral value: String) { self = .name(value) }

    /// `17`, or `'door'`.
    package var description: String {
        switch self {
        case .offset(let offset): String(offset)
        case .name(let name): "'\(name)'"
        }
    }
}

/// A GPIO output line.
package struct GPIOTarget: Sendable, Hashable {
    /// `/dev/gpiochip0`, a bare `gpiochip0` (under the host's `/dev`), or a chip's label.
    package var chip: String
    package var line: GPIOLineID
    package var activeLow: Bool
    package var drive: GPIODrive
    package var bias: GPIOBias
    /// The label the kernel shows for the held line (`gpioinfo`); at most 31 bytes.
    package var consumer: String

    package init(
        chip: String, line: GPIOLineID, activeLow: Bool = false, drive: GPIODrive = .pushPull, bias: GPIOBias = .asIs,
        consumer: String = "kinglet"
    ) {
        self.chip = chip
        self.line = line
        self.activeLow = activeLow
        self.drive = drive
        self.bias = bias
        self.consumer = consumer
    }
}

/// A GPIO input line: a door contact, a button, a float switch. Read on schedule, and with
/// `edges` also the moment it changes (after `debounce`).
package struct GPIOInput: Sendable, Hashable {
    /// As for `GPIOTarget.chip`.
    package var chip: String
    package var line: GPIOLineID
    package var activeLow: Bool
    package var bias: GPIOBias
    package var edges: GPIOEdges
    /// How long the line must stay at a new level before the kernel reports the edge; zero for
    /// none. The kernel debounces in software where the chip cannot.
    package var debounce: Duration
    package var consumer: String

    package init(
        chip: String, line: GPIOLineID, activeLow: Bool = false, bias: GPIOBias = .asIs, edges: GPIOEdges = .both,
        debounce: Duration = .zero, consumer: String = "kinglet"
    ) {
        self.chip = chip
        self.line = line
        self.activeLow = activeLow
        self.bias = bias
        self.edges = edges
        self.debounce = debounce
        self.consumer = consumer
    }
}

package enum GPIODrive: String, Sendable, Hashable, CaseIterable {
    case pushPull = "push-pull", openDrain = "open-drain", openSource = "open-source"
}

package enum GPIOBias: String, Sendable, Hashable, CaseIterable {
    case asIs = "as-is", pullUp = "pull-up", pullDown = "pull-down", disabled
}

/// Which changes of an input line produce a reading at once. Rising and falling are logical:
/// with `active_low`, a contact pulling the line low is a rising edge.
package enum GPIOEdges: String, Sendable, Hashable, CaseIterable {
    case both, rising, falling, none
}
