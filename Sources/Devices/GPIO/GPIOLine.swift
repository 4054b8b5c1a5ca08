import CGPIO
import Glibc
import Support

/// One GPIO line held through the character device (v2 uAPI), as an output or an input. The
/// kernel keeps the line reserved for the agent (an output at the value last set) until the
/// request's file descriptor is closed, which `deinit` does. Sendable: only immutable fields,
/// and the kernel serialises ioctls and reads on one line request.
final class GPIOLine: Sendable {
    let fd: Int32
    let chipPath: String
    let offset: UInt32

    /// Takes over `fd`, a line request the kernel returned (a pipe in tests).
    init(fd: Int32, chipPath: String, offset: UInt32) {
        self.fd = fd
        self.chipPath = chipPath
        self.offset = offset
    }

    deinit { close(fd) }

    /// Requests `target`'s line as an output driven to `initial`.
    static func output(_ target: GPIOTarget, paths: HostPaths, initial: Bool) throws(DeviceError) -> GPIOLine {
        let chip = try GPIOChip.locate(target.chip, paths: paths)
        let offset = try chip.offset(of: target.line)
        var request = GPIOLineRequest.make(target, offset: offset, initial: initial)
        return GPIOLine(fd: try chip.request(&request, offset: offset), chipPath: chip.path, offset: offset)
    }

    /// Requests `input`'s line as an input, with edge detection if asked for.
    static func input(_ input: GPIOInput, paths: HostPaths) throws(DeviceError) -> GPIOLine {
        let chip = try GPIOChip.locate(input.chip, paths: paths)
        let offset = try chip.offset(of: input.line)
        var request = GPIOLineRequest.input(input, offset: offset)
        return GPIOLine(fd: try chip.request(&request, offset: offset), chipPath: chip.path, offset: offset)
    }

    func set(_ value: Bool) throws(DeviceError) {
        var values = GPIOLineRequest.values(value)
        guard ioctl(fd, kinglet_gpio_v2_line_set_values_ioctl, &values) == 0 else {
            throw DeviceError(SystemError("set line \(offset) of \(chipPath)"))
        }
    }

    /// The line's logical value as the kernel reports it (for an output: what it drives).
    func get() throws(DeviceError) -> Bool {
        var values = GPIOLineRequest.values(false)
        guard ioctl(fd, kinglet_gpio_v2_line_get_values_ioctl, &values) == 0 else {
            throw DeviceError(SystemError("read line \(offset) of \(chipPath)"))
        }
        return values.bits & 1 == 1
    }

    /// An edge the kernel reported: the logical level after it, and when (CLOCK_MONOTONIC).
    struct Edge: Sendable, Hashable {
        var rising: Bool
        var monotonicNanoseconds: UInt64
    }

    /// Reads the edges waiting on the line, up to 16 at a time. Call it when `poll` says the
    /// descriptor is readable; otherwise it blocks until an edge comes.
    func readEdges() throws(DeviceError) -> [Edge] {
        let size = MemoryLayout<gpio_v2_line_event>.stride
        var events = [gpio_v2_line_event](repeating: gpio_v2_line_event(), count: 16)
        let count: Int
        do {
            count = try systemCall("read events of line \(offset) of \(chipPath)") {
                events.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            }
        } catch {
            throw DeviceError(error)
        }
        return events.prefix(count / size).map { event in
            Edge(rising: event.id == GPIO_V2_LINE_EVENT_RISING_EDGE.rawValue, monotonicNanoseconds: event.timestamp_ns)
        }
    }
}
