import CGPIO
import Glibc
import Support

/// An open GPIO chip character device (`/dev/gpiochipN`): finds chips by name or label and lines
/// by offset or name, and requests lines with errors a person can act on (who holds a busy
/// line, a kernel without the v2 uAPI). Closed in `deinit`; a requested line outlives it.
final class GPIOChip {
    let path: String
    private let fd: Int32

    /// What `GPIO_GET_CHIPINFO_IOCTL` tells: `gpiochip0`, its label (`pinctrl-bcm2711`), lines.
    struct Info: Sendable, Hashable {
        var name: String
        var label: String
        var lines: UInt32
    }

    /// What `GPIO_V2_GET_LINEINFO_IOCTL` tells of one line.
    struct LineInfo: Sendable, Hashable {
        var name: String
        /// Who holds the line (`sysfs`, `kinglet`, a kernel driver's name); empty when free or
        /// when the holder gave no label.
        var consumer: String
        var flags: UInt64
        var isUsed: Bool { flags & UInt64(GPIO_V2_LINE_FLAG_USED.rawValue) != 0 }
    }

    init(path: String) throws(DeviceError) {
        // Without blocking: the path is the profile's, and a serial port named by mistake would
        // wait for its carrier (the chip's ioctls do not care).
        let fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw DeviceError(SystemError("open \(path)")) }
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    /// Opens the chip a profile names: a path (`/dev/gpiochip0`, mapped onto the host's roots),
    /// a device name under `/dev` (`gpiochip0`), or else the chip whose label is `chip`.
    static func locate(_ chip: String, paths: HostPaths) throws(DeviceError) -> GPIOChip {
        if chip.hasPrefix("/") { return try GPIOChip(path: paths.resolve(chip)) }
        let direct = paths.dev + "/" + chip
        // A device name is opened as such, so a missing one fails naming its path.
        let isDeviceName = chip.hasPrefix("gpiochip") && chip.dropFirst(8).allSatisfy(\.isNumber) && chip.count > 8
        if isDeviceName || FileIO.exists(direct) { return try GPIOChip(path: direct) }
        let names = ((try? HostFiles.list(paths.dev)) ?? []).filter { $0.hasPrefix("gpiochip") }.sorted()
        var found: [String] = []
        for name in names {
            guard let candidate = try? GPIOChip(path: paths.dev + "/" + name), let info = try? candidate.info() else { continue }
            if info.label == chip { return candidate }
            found.append(info.label.isEmpty ? name : "\(name) '\(info.label)'")
        }
        let known = found.isEmpty ? "no GPIO chips there" : "chips: " + found.joined(separator: ", ")
        throw DeviceError("find GPIO chip '\(chip)'", code: ENOENT, message: "no chip with that name or label in \(paths.dev) (\(known))")
    }

    func info() throws(DeviceError) -> Info {
        var info = gpiochip_info()
        guard ioctl(fd, kinglet_gpio_get_chipinfo_ioctl, &info) == 0 else {
            throw explain(SystemError("read chip information of \(path)"))
        }
        return Info(name: Self.text(info.name), label: Self.text(info.label), lines: info.lines)
    }

    func lineInfo(_ offset: UInt32) throws(DeviceError) -> LineInfo {
        var info = gpio_v2_line_info()
        info.offset = offset
        guard ioctl(fd, kinglet_gpio_v2_get_lineinfo_ioctl, &info) == 0 else {
            throw explain(SystemError("read line \(offset) of \(path)"))
        }
        return LineInfo(name: Self.text(info.name), consumer: Self.text(info.consumer), flags: info.flags)
    }

    /// The offset of `line`: an offset as given (the kernel checks the range when requesting),
    /// or the first line carrying that name.
    func offset(of line: GPIOLineID) throws(DeviceError) -> UInt32 {
        switch line {
        case .offset(let offset):
            return offset
        case .name(let name):
            let lines = try info().lines
            for offset in 0..<lines where try lineInfo(offset).name == name { return offset }
            throw DeviceError("find line '\(name)' of \(path)", code: ENOENT, message: "no line with that name (\(lines) lines)")
        }
    }

    /// Hands `request` to the kernel and returns the line's file descriptor. A refusal says why
    /// in a person's terms: who holds a busy line, a chip that cannot report edges, a kernel
    /// without the v2 uAPI.
    func request(_ request: inout gpio_v2_line_request, offset: UInt32) throws(DeviceError) -> Int32 {
        let operation = "request line \(offset) of \(path)"
        guard ioctl(fd, kinglet_gpio_v2_get_line_ioctl, &request) == 0 else {
            let failure = SystemError(operation)
            if failure.code == EBUSY, let holder = try? lineInfo(offset) {
                let who = holder.consumer.isEmpty ? "another user that gave no label" : "'\(holder.consumer)'"
                throw DeviceError(operation, code: EBUSY, message: "Device or resource busy: held by \(who)")
            }
            if failure.code == ENXIO, request.config.flags & Self.edgeFlags != 0 {
                throw DeviceError(
                    operation, code: ENXIO, message: "the chip cannot report edges on this line (no interrupt); set edges = \"none\"")
            }
            throw explain(failure)
        }
        guard request.fd >= 0 else { throw DeviceError(operation, message: "kernel returned no line descriptor") }
        return request.fd
    }

    private static let edgeFlags = UInt64(GPIO_V2_LINE_FLAG_EDGE_RISING.rawValue | GPIO_V2_LINE_FLAG_EDGE_FALLING.rawValue)

    /// ENOTTY means the ioctl is unknown: either the file is no GPIO chip at all, or the kernel
    /// predates the v2 uAPI (Linux 5.10), which the chip-information ioctl (v1 too) tells apart.
    private func explain(_ failure: SystemError) -> DeviceError {
        guard failure.code == ENOTTY else { return DeviceError(failure) }
        var info = gpiochip_info()
        let isChip = ioctl(fd, kinglet_gpio_get_chipinfo_ioctl, &info) == 0
        let message =
            isChip
            ? "this kernel has no GPIO character device v2 uAPI (Linux 5.10 or later needed)"
            : "\(path) is not a GPIO chip (Inappropriate ioctl for device)"
        return DeviceError(failure.operation, code: ENOTTY, message: message)
    }

    /// A NUL-terminated C string in a fixed-size array.
    static func text<T>(_ field: T) -> String {
        withUnsafeBytes(of: field) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
