import Glibc

/// The exit status of the command, handed from its task to the waiting main thread.
/// `@unchecked Sendable`: `status` is written once before `sem_post` and read after `sem_wait`
/// returns, which orders the two accesses.
final class ExitLatch: @unchecked Sendable {
    private let semaphore = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)
    private var status: Int32 = 0

    init() {
        sem_init(semaphore, 0, 0)
    }

    deinit {
        sem_destroy(semaphore)
        semaphore.deallocate()
    }

    func release(with status: Int32) {
        self.status = status
        sem_post(semaphore)
    }

    /// Blocks the calling thread until `release(with:)`, then returns its status.
    func wait() -> Int32 {
        while sem_wait(semaphore) != 0 {}  // EINTR: a signal arrived; keep waiting
        return status
    }
}
