import Support
import Glibc
import Synchronization

/// Ctrl-C (SIGINT) and SIGTERM as an event that can be waited for with a time-out. The handler
/// only writes a byte to a pipe (async-signal-safe); the waiting happens in `poll` on an offload
/// thread, so the cooperative pool is never blocked.
struct Interrupt: Sendable {
    let readFD: Int32
    /// The pipe's write end, for the handler, which cannot capture context.
    private static let writeFD = Atomic<Int32>(-1)

    static func install() -> Interrupt? {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return nil }
        _ = fcntl(fds[1], F_SETFL, O_NONBLOCK)
        writeFD.store(fds[1], ordering: .relaxed)
        let handler: @convention(c) (Int32) -> Void = { _ in
            var byte: UInt8 = 1
            _ = Glibc.write(Interrupt.writeFD.load(ordering: .relaxed), &byte, 1)
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        return Interrupt(readFD: fds[0])
    }

    /// Waits up to `timeout`; true when a signal came.
    func wait(_ timeout: Duration) async -> Bool {
        let fd = readFD
        let milliseconds = Int32(clamping: timeout.milliseconds)
        return await OffloadThread.run {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            return poll(&p, 1, milliseconds) > 0
        }
    }

    /// Waits until a signal comes.
    func waitForever() async {
        let fd = readFD
        _ = await OffloadThread.run {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            while poll(&p, 1, -1) < 0 && errno == EINTR {}
            return true
        }
    }
}
