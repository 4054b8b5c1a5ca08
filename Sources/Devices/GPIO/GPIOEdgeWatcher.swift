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
                let edges = try line.readEdges()
                let offset = Self.realtimeOffset()
                for edge in edges {
                    report(SourceEvent(value: .boolean(edge.rising), time: Self.wallTime(ofMonotonic: edge.monotonicNanoseconds, offset: offset)))
                }
            } catch {
                logger.warning("\(name): edge events stopped: \(error)")
                return
            }
        }
    }

    /// How far CLOCK_REALTIME is ahead of CLOCK_MONOTONIC, in nanoseconds: the wall clock
    /// read between two monotonic readings, against their midpoint. Read once per batch of
    /// edges, so that edges read together keep their exact spacing.
    static func realtimeOffset() -> Int64 {
        var before = timespec()
        var wall = timespec()
        var after = timespec()
        clock_gettime(CLOCK_MONOTONIC, &before)
        clock_gettime(CLOCK_REALTIME, &wall)
        clock_gettime(CLOCK_MONOTONIC, &after)
        return nanoseconds(wall) - (nanoseconds(before) + nanoseconds(after)) / 2
    }

    /// The wall-clock time of a CLOCK_MONOTONIC instant, cut to the millisecond once, at the
    /// end: edges 500 ms apart are stamped 500 ms apart, never 499 or 501.
    static func wallTime(ofMonotonic monotonic: UInt64, offset: Int64) -> Timestamp {
        let wall = Int64(clamping: monotonic) + offset
        return Timestamp(millisecondsSinceEpoch: wall / 1_000_000)
    }

    private static func nanoseconds(_ time: timespec) -> Int64 {
        Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}
