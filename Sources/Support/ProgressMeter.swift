import Synchronization

/// Counts work begun and work finished by one part of the agent (the event loop, the sampler,
/// the publisher), so that a watchdog can tell a part that is idle or moving from one that is
/// stuck: work waiting and nothing finished for a while. Two relaxed atomics: cheap enough for
/// every tick and every event, and readable while the part itself is blocked.
package final class ProgressMeter: Sendable {
    /// What the meter says at one moment.
    package struct Reading: Sendable, Hashable {
        package var begun: UInt64
        package var finished: UInt64
        /// Work has begun that has not finished.
        package var busy: Bool { begun > finished }

        package init(begun: UInt64, finished: UInt64) {
            self.begun = begun
            self.finished = finished
        }
    }

    private let begun = Atomic<UInt64>(0)
    private let finished = Atomic<UInt64>(0)

    package init() {}

    package func begin() { begun.add(1, ordering: .relaxed) }
    package func finish() { finished.add(1, ordering: .relaxed) }

    /// Finished is read first: a reading never shows more finished than begun.
    package var reading: Reading {
        let done = finished.load(ordering: .relaxed)
        return Reading(begun: max(begun.load(ordering: .relaxed), done), finished: done)
    }
}
