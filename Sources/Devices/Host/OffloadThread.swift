import Glibc

/// Runs blocking work (a command, a 1-wire read) on a thread of its own instead of the
/// cooperative pool: that pool has one thread per core (two on this class of board), and a
/// blocked pool thread would stall every actor in the agent.
package enum OffloadThread {
    /// Runs `body` on a new detached thread and returns its result. Falls back to the calling
    /// thread if no thread can be created (the work still gets done, late rather than never).
    package static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            let job = Job { continuation.resume(returning: body()) }
            let context = Unmanaged.passRetained(job).toOpaque()
            var attributes = pthread_attr_t()
            pthread_attr_init(&attributes)
            defer { pthread_attr_destroy(&attributes) }
            pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
            var thread = pthread_t()
            let started = pthread_create(&thread, &attributes, { raw in
                Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue().work()
                return nil
            }, context)
            if started != 0 {
                Unmanaged<Job>.fromOpaque(context).takeRetainedValue().work()
            }
        }
    }

    /// Carries the closure across pthread_create's untyped pointer.
    private final class Job: Sendable {
        let work: @Sendable () -> Void
        init(_ work: @escaping @Sendable () -> Void) { self.work = work }
    }
}
