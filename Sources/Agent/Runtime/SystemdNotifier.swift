import Glibc
import Support

/// systemd's notify protocol, spoken without libsystemd (sd_notify(3)): each message is one
/// datagram of `KEY=value` lines sent to the AF_UNIX socket named by `NOTIFY_SOCKET`, where a
/// leading `@` means Linux's abstract namespace.
final class SystemdNotifier: Sendable {
    private let fd: Int32
    /// `sun_path` as sent: for an abstract name a NUL byte, then the name, no terminator.
    private let path: [UInt8]
    private let log = Logger("systemd")

    /// Opens a datagram socket for `socket` (NOTIFY_SOCKET's value).
    init(socket: String) throws(SystemError) {
        var bytes = Array(socket.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        guard !bytes.isEmpty, bytes.count < MemoryLayout.size(ofValue: sockaddr_un().sun_path) else {
            throw SystemError("NOTIFY_SOCKET \(socket)", code: ENAMETOOLONG)
        }
        path = bytes
        fd = try systemCall("socket AF_UNIX") { Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
    }

    deinit {
        close(fd)
    }

    /// Sends one message (`READY=1`, `STATUS=…`, `WATCHDOG=1`). A failure is logged, never fatal:
    /// the agent's work does not depend on systemd hearing it.
    @discardableResult
    func send(_ message: String) -> Bool {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { sunPath in
            for (index, byte) in path.enumerated() { sunPath[index] = byte }
        }
        // The address length covers exactly the name: abstract names are not NUL-terminated.
        let length = socklen_t(MemoryLayout.offset(of: \sockaddr_un.sun_path)! + path.count)
        let bytes = Array(message.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), socketAddress, length) }
            }
        }
        guard sent == bytes.count else {
            log.warning("cannot notify systemd: \(SystemError("sendto NOTIFY_SOCKET"))")
            return false
        }
        return true
    }
}

/// What systemd's environment asks of a `Type=notify` service (sd_notify(3), sd_watchdog_enabled(3)).
struct SystemdEnvironment: Sendable, Hashable {
    /// Where notifications go; nil when not started by systemd as a notify service.
    var notifySocket: String?
    /// How often to send `WATCHDOG=1`: half of `WATCHDOG_USEC`, as systemd recommends; nil when
    /// the unit sets no `WatchdogSec=` or the watchdog is meant for another process.
    var watchdogPingInterval: Duration?

    init(_ variable: (String) -> String?, pid: Int32) {
        notifySocket = variable("NOTIFY_SOCKET").flatMap { $0.isEmpty ? nil : $0 }
        let forUs = variable("WATCHDOG_PID").map { Int32($0) == pid } ?? true
        if forUs, let text = variable("WATCHDOG_USEC"), let microseconds = Int64(text), microseconds > 0 {
            watchdogPingInterval = .microseconds(microseconds / 2)
        }
    }

    /// This process's environment.
    static func current() -> SystemdEnvironment {
        SystemdEnvironment({ name in getenv(name).map { String(cString: $0) } }, pid: getpid())
    }
}
