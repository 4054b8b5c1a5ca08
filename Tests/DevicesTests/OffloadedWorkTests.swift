import Devices
import Glibc
import Support
import Synchronization
import TestSupport
import Testing

/// A read on a thread of its own, waited for with a deadline: the wedged bus case.
@Suite struct OffloadedWorkTests {
    /// A blocking call that returns only when released (a read from a hung I²C attribute).
    final class Latch: Sendable {
        private let semaphore = Mutex(false)
        func wait() { while !semaphore.withLock({ $0 }) { usleep(1000) } }
        func release() { semaphore.withLock { $0 = true } }
    }

    @Test func aReadThatHangsIsGivenUpAtTheDeadlineAndItsResultStillComes() async throws {
        let clock = ManualClock()
        let latch = Latch()
        let work = OffloadThread.spawn { () -> Int in
            latch.wait()
            return 42
        }
        async let answer = work.result(within: .seconds(5), clock: clock)
        #expect(await eventually { clock.sleeperCount == 1 })
        clock.advance(by: .seconds(5))
        #expect(await answer == nil)
        latch.release()
        #expect(await work.value == 42)
    }

    @Test func aQuickReadIsNotHeldUp() async throws {
        let clock = ManualClock()
        let work = OffloadThread.spawn { 7 }
        #expect(await work.result(within: .seconds(5), clock: clock) == 7)
        #expect(await work.value == 7)
        // The deadline's timer goes with the answer: nothing is left asleep on the clock.
        #expect(await eventually { clock.sleeperCount == 0 })
    }
}
