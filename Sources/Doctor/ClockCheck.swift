import Glibc
import Support

/// Whether the system clock can be right: certificate checks and reading timestamps depend on
/// it, and a board without a real-time clock boots in the past until NTP answers.
enum ClockCheck {
    /// A clock more than this far before the binary was built is wrong.
    static let slack: Int64 = 86_400_000

    /// `built`: when this binary was built (its file's modification time).
    static func finding(now: Timestamp, built: Timestamp?) -> Finding {
        if let built, now.millisecondsSinceEpoch < built.millisecondsSinceEpoch - slack {
            return .failed(
                "clock", "the clock says \(now), before this binary was built (\(built))",
                fix: "set the time (timedatectl set-ntp true, an RTC, or date -s); TLS certificates fail until then")
        }
        return .ok("clock", "\(now)" + (built.map { " (this binary was built \($0))" } ?? ""))
    }

    /// The check on this machine.
    static func run() -> Finding {
        finding(now: Timestamp.now(), built: builtAt())
    }

    /// The modification time of the running binary: when it was built (or installed).
    static func builtAt() -> Timestamp? {
        var st = stat()
        guard stat("/proc/self/exe", &st) == 0 else { return nil }
        return Timestamp(secondsSinceEpoch: Int64(st.st_mtim.tv_sec))
    }
}
