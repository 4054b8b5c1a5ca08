import CGPIO
import Glibc
import Support

/// One GPIO output line held through the character device (v2 uAPI). The kernel keeps the line
/// reserved for the agent, at the value last set, until the request's file descriptor is
/// closed, which `deinit` does. Sendable: only immutable fields, and the kernel serialises ioctls
/// on one line request.
final class GPIOLine: Sendable {
    private let fd: Int32
    let chipPath: String
    let offset: UInt32

    /// Requests `target`'s line from the chip at `chipPath` as an output driven to `initial`.
    init(chipPath: String, target: GPIOTarget, initial: Bool) throws(DeviceError) {
        let chip = open(chipPath, O_RDWR | O_CLOEXEC)
        guard chip >= 0 else { throw DeviceError(SystemError("open \(chipPath)")) }
        defer { close(chip) }
        var request = GPIOLineRequest.make(target, initial: initial)
        let operation = "request line \(target.line) of \(chipPath)"
        guard ioctl(chip, kinglet_gpio_v2_get_line_ioctl, &request) == 0 else {
            throw DeviceError(SystemError(operation))
        }
        guard request.fd >= 0 else { throw DeviceError(operation, message: "kernel returned no line descriptor") }
        self.fd = request.fd
        self.chipPath = chipPath
        self.offset = target.line
    }

    deinit { close(fd) }

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
}
