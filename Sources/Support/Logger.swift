import Glibc
import Synchronization

/// How much a log line matters. Lines below the process threshold are never formatted.
package enum LogLevel: Int, Sendable, Comparable, CaseIterable {
    case debug, info, warning, error

    /// The word that starts every log line, padded so messages line up.
    package var tag: String {
        switch self {
        case .debug: "DEBUG"
        case .info: "INFO "
        case .warning: "WARN "
        case .error: "ERROR"
        }
    }

    /// Parses a config value such as `info` or `warning`.
    package init?(name: String) {
        switch name.lowercased() {
        case "debug": self = .debug
        case "info": self = .info
        case "warning", "warn": self = .warning
        case "error": self = .error
        default: return nil
        }
    }

    package static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The syslog priority journald reads from a `<N>` line prefix (sd-daemon(3)): so that
    /// `journalctl -p warning` shows warnings and errors.
    package var syslogPriority: Int {
        switch self {
        case .debug: 7
        case .info: 6
        case .warning: 4
        case .error: 3
        }
    }
}

/// Writes one line per event to stderr, level first: `INFO  session: online as dev@example.org/kinglet`.
///
/// Messages are autoclosures so that a suppressed debug line costs nothing. Never pass a secret:
/// callers log what happened (mechanism names, error conditions), not credentials or SASL payloads.
package struct Logger: Sendable {
    /// The component that logs, e.g. `session`, `tls`, `device`.
    package let label: String

    package init(_ label: String) {
        self.label = label
    }

    /// Which agent a line is about, when one process runs many (`kinglet fleet simulate`): bound
    /// around each simulated device's tasks, and carried into the threads they start
    /// (`startThread`). Empty in `kinglet run`, whose lines need no tag. (Not `String?`: reading
    /// an optional task-local crashed in `swift_release` with this toolchain, in the publisher's
    /// unit tests, every run.)
    @TaskLocal package static var agentTag = ""

    /// The process-wide threshold. An atomic rather than a mutable global, so any thread may log.
    private static let threshold = Atomic<Int>(LogLevel.info.rawValue)
    private static let timestamps = Atomic<Bool>(false)
    private static let priorityPrefixes = Atomic<Bool>(false)

    /// Sets the lowest level that is written, and whether lines start with a UTC time. When
    /// stderr is the journal's stream, lines start with their syslog priority (`<4>`).
    package static func configure(level: LogLevel, timestamps: Bool = false) {
        threshold.store(level.rawValue, ordering: .relaxed)
        Self.timestamps.store(timestamps, ordering: .relaxed)
        priorityPrefixes.store(JournalStream.isStandardError(), ordering: .relaxed)
    }

    /// Writes nothing at all: for a command whose own output says everything (`kinglet doctor`).
    package static func silence() {
        threshold.store(Int.max, ordering: .relaxed)
    }

    package static func isEnabled(_ level: LogLevel) -> Bool {
        level.rawValue >= threshold.load(ordering: .relaxed)
    }

    package func debug(_ message: @autoclosure () -> String) { log(.debug, message) }
    package func info(_ message: @autoclosure () -> String) { log(.info, message) }
    package func warning(_ message: @autoclosure () -> String) { log(.warning, message) }
    package func error(_ message: @autoclosure () -> String) { log(.error, message) }

    /// Line breaks inside a message (SQL text, SQLite's multi-line reports) become spaces:
    /// one event is one line, for journald and for whoever greps the log.
    static func oneLine(_ message: String) -> String {
        guard message.utf8.contains(where: { $0 == 10 || $0 == 13 }) else { return message }
        return String(message.map { $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 })
    }

    package func log(_ level: LogLevel, _ message: () -> String) {
        guard Self.isEnabled(level) else { return }
        let line = line(
            level, message(), timestamp: Self.timestamps.load(ordering: .relaxed) ? Timestamp.now() : nil,
            priorityPrefix: Self.priorityPrefixes.load(ordering: .relaxed))
        // One write(2) per line keeps lines from different threads whole.
        writeAll(fd: 2, Array(line.utf8))
    }

    /// One log line with its newline: `<6>INFO  session: online as …` (the prefix only for the journal).
    package func line(_ level: LogLevel, _ message: String, timestamp: Timestamp? = nil, priorityPrefix: Bool = false) -> String {
        var line = priorityPrefix ? "<\(level.syslogPriority)>" : ""
        line += level.tag + " "
        if let timestamp { line += timestamp.xsDateTime + " " }
        let tag = Self.agentTag
        if !tag.isEmpty { line += tag + " " }
        return line + label + ": " + Self.oneLine(message) + "\n"
    }
}

/// Whether stderr is connected to the journal: systemd sets `JOURNAL_STREAM` to the device and
/// inode of the stream it gave the service (systemd.exec(5)). Redirected elsewhere (a file, a
/// pipe), they no longer match and lines stay plain.
package enum JournalStream {
    package static func isStandardError() -> Bool {
        guard let value = getenv("JOURNAL_STREAM") else { return false }
        return matches(String(cString: value), fd: 2)
    }

    /// True when `value` (`DEVICE:INODE`, decimal) names the file open on `fd`.
    package static func matches(_ value: String, fd: Int32) -> Bool {
        let parts = value.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return false }
        return UInt64(st.st_dev) == device && UInt64(st.st_ino) == inode
    }
}
