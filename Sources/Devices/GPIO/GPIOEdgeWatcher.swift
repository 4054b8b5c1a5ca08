import Glibc
import Support

/// Waits for edges on one input line on a thread of its own, blocked in `poll` on the line and
/// a pipe, and hands each edge on with its wall-clock time. Nothing runs between edges. `stop`
/// wakes the thread through the pipe; the pipe is closed when both the thread and the owner
/// have let go. Sendable: the descriptors are immutable and the kernel serialises pipe I/O.
final class GPIOEdgeWatcher: Sendable {
    /// The pipe's read end, polled by the thread, and its write end, for `stop`.
    private let wakeFD: Int32
    private let stopFD: Int32
    private let logger = Logger("gpio")

    /// Starts watching `line`; `report` is called on the watcher's thread with each edge.
    init(line: GPIOLine, name: String, report: @escaping @Sendable (SourceEvent) -> Void) throws(DeviceError) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw DeviceError(SystemError("pipe for \(name)")) }
        (wakeFD, stopFD) = (fds[0], fds[1])
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        do {
            // The thread keeps the watcher (and so the pipe) and the line alive while it polls.
            try startThread(stackBytes: 64 << 10) { [self] in self.watch(line, name: name, report: report) }
        } catch {
            throw DeviceError(error)
        }
    }

    deinit {
        close(wakeFD)
        close(stopFD)
    }

    func stop() {
        var byte: UInt8 = 1
        _ = write(stopFD, &byte, 1)
    }

    private func watch(_ line: GPIOLine, name: String, report: @escaping @Sendable (SourceEvent) -> Void) {
        var fds = [pollfd(fd: line.fd, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)]
        while true {
            let ready = poll(&fds, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                logger.warning("\(name): edge events stopped: \(SystemError("poll"))")
                return
            }
            if fds[1].revents != 0 { return }
            guard fds[0].revents & Int16(POLLIN) != 0 else {
                logger.warning("\(name): edge events stopped: line \(line.offset) of \(line.chipPath) went away")
                return
            }
            do {
                for edge in try line.readEdges() {
                    report(SourceEvent(value: .boolean(edge.rising), time: Self.wallTime(ofMonotonic: edge.monotonicNanoseconds)))
                }
            } catch {
                logger.warning("\(name): edge events stopped: \(error)")
                return
            }
        }
    }

    /// The wall-clock time of a CLOCK_MONOTONIC instant: now, less the instant's age.
    static func wallTime(ofMonotonic nanoseconds: UInt64) -> Timestamp {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let nowNanoseconds = Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
        let age = max(0, nowNanoseconds - Int64(clamping: nanoseconds))
        return Timestamp.now().adding(milliseconds: -(age / 1_000_000))
    }
}
