import Synchronization

/// One queue of stanzas, handled in order by one task of its own: operators, viewers and
/// strangers each have one, so that none waits behind another's requests. Bounded: a full
/// lane takes nothing more (the dispatcher refuses or drops instead).
final class StanzaLane: Sendable {
    typealias Work = @Sendable () async -> Void

    /// How many are queued or being handled.
    private final class Depth: Sendable {
        let value = Atomic<Int>(0)
    }

    let capacity: Int
    private let depth = Depth()
    private let continuation: AsyncStream<Work>.Continuation
    private let worker: Task<Void, Never>

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        let (works, continuation) = AsyncStream.makeStream(of: Work.self)
        self.continuation = continuation
        worker = Task { [depth] in
            for await work in works {
                await work()
                depth.value.subtract(1, ordering: .relaxed)
            }
        }
    }

    deinit {
        continuation.finish()
    }

    /// How many stanzas are queued or being handled.
    var count: Int { depth.value.load(ordering: .relaxed) }

    /// Queues `work`; false, and nothing queued, when the lane is full.
    func offer(_ work: @escaping Work) -> Bool {
        let queued = depth.value.add(1, ordering: .relaxed).newValue
        guard queued <= capacity else {
            depth.value.subtract(1, ordering: .relaxed)
            return false
        }
        continuation.yield(work)
        return true
    }

    /// Handles what is queued, then ends the task.
    func finish() async {
        continuation.finish()
        await worker.value
    }
}
