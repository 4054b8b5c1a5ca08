package import Support
import Synchronization

/// Blocking work running on a thread of its own (`OffloadThread.spawn`), whose result can be
/// waited for with a deadline: a read of a wedged sysfs attribute (an I²C bus that hangs) may
/// never return, and its sensor must then be reported failing, not waited for for ever.
package final class OffloadedWork<Value: Sendable>: Sendable {
    private struct State {
        var value: Value?
        /// Called once with the value, or with nil when their deadline passes first.
        var waiters: [UInt64: @Sendable (Value?) -> Void] = [:]
        /// The deadline timers of those waiting with one, cancelled when the value comes (a
        /// timer left to run would hold a task, and a manual clock's sleeper, until it fired).
        var timers: [UInt64: Task<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    init() {}

    /// The thread finished with `value`: everyone waiting gets it.
    func finish(_ value: Value) {
        let (waiters, timers) = state.withLock { state in
            state.value = value
            defer {
                state.waiters.removeAll()
                state.timers.removeAll()
            }
            return (Array(state.waiters.values), Array(state.timers.values))
        }
        for timer in timers { timer.cancel() }
        for waiter in waiters { waiter(value) }
    }

    /// The result once the work is done; nil if `timeout` passes on `clock` first (the work goes
    /// on, and `value` still gives its result when it ends).
    package func result(within timeout: Duration, clock: any AgentClock) async -> Value? {
        await withCheckedContinuation { (continuation: CheckedContinuation<Value?, Never>) in
            guard let id = register({ continuation.resume(returning: $0) }) else { return }
            let timer = clock.after(timeout) { [self] in
                let waiter = state.withLock { state in
                    state.timers[id] = nil
                    return state.waiters.removeValue(forKey: id)
                }
                waiter?(nil)
            }
            let answered = state.withLock { state in
                guard state.waiters[id] != nil else { return true }
                state.timers[id] = timer
                return false
            }
            if answered { timer.cancel() }
        }
    }

    /// The result once the work is done; nil if the monotonic time `deadline` on `clock` comes
    /// first.
    package func result(by deadline: Duration, clock: any AgentClock) async -> Value? {
        await result(within: deadline - clock.now(), clock: clock)
    }

    /// The result, however long it takes.
    package var value: Value {
        get async {
            await withCheckedContinuation { (continuation: CheckedContinuation<Value, Never>) in
                _ = register { continuation.resume(returning: $0!) }  // only a deadline passes nil
            }
        }
    }

    /// Calls `waiter` with the value at once if there is one (returning nil), or keeps it.
    private func register(_ waiter: @escaping @Sendable (Value?) -> Void) -> UInt64? {
        let (id, done) = state.withLock { state -> (UInt64?, Value?) in
            if let value = state.value { return (nil, value) }
            state.nextWaiter += 1
            state.waiters[state.nextWaiter] = waiter
            return (state.nextWaiter, nil)
        }
        if let done { waiter(done) }
        return id
    }
}

extension OffloadThread {
    /// Starts `body` on a new detached thread and returns at once: its result can then be
    /// waited for with a deadline (`OffloadedWork.result(within:clock:)`). The thread is started
    /// here, not from a task: on a busy concurrency pool the task could start after the
    /// deadline had passed. Without a thread to be had, `body` runs on the calling thread.
    package static func spawn<T: Sendable>(_ body: @escaping @Sendable () -> T) -> OffloadedWork<T> {
        let work = OffloadedWork<T>()
        do {
            try startThread(stackBytes: nil) { work.finish(body()) }
        } catch {
            work.finish(body())
        }
        return work
    }
}
