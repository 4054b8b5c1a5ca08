import Glibc

/// Starts a detached POSIX thread that runs `body`: for the one I/O thread per connection,
/// which blocks in poll() and so must not live on the Swift concurrency pool.
///
/// The stack is small (256 KiB) by default because nothing on it recurses deeply: the XML
/// parser keeps its element stack on the heap, and mbedTLS's handshake needs a few KiB. Nil
/// keeps the system's default size. The caller's `Logger.agentTag` goes with it, so the
/// thread's log lines name the same agent.
package func startThread(stackBytes: Int? = 256 * 1024, _ body: @escaping @Sendable () -> Void) throws(SystemError) {
    let tag = Logger.agentTag
    let tagged: @Sendable () -> Void = {
        Logger.$agentTag.withValue(tag) { body() }
    }
    final class Box: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    if let stackBytes { pthread_attr_setstacksize(&attributes, stackBytes) }
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    let box = Unmanaged.passRetained(Box(tagged))
    var thread = pthread_t()
    let status = pthread_create(&thread, &attributes, { context in
        let box = Unmanaged<Box>.fromOpaque(context!).takeRetainedValue()
        box.body()
        return nil
    }, box.toOpaque())
    if status != 0 {
        box.release()
        throw SystemError("pthread_create", code: status)
    }
}

/// Runs blocking work (a command, a 1-wire read, a DNS lookup) on a thread of its own instead
/// of the cooperative pool: that pool has one thread per core (two on this class of board), and
/// a blocked pool thread would stall every actor in the agent.
package enum OffloadThread {
    /// Runs `body` on a new detached thread with the default stack and returns its result.
    /// Falls back to the calling thread if no thread can be created (the work still gets done,
    /// late rather than never).
    package static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            let work: @Sendable () -> Void = { continuation.resume(returning: body()) }
            do {
                try startThread(stackBytes: nil, work)
            } catch {
                work()
            }
        }
    }
}
