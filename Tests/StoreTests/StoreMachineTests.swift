import Support
import Testing

@testable import Store

/// The store's normal and degraded modes, walked event by event: what the machine asks the
/// actor to do at each step, and nothing else.
@Suite struct StoreMachineTests {
    typealias Action = StoreMachine.Action
    static let start = Timestamp(secondsSinceEpoch: 1_700_000_000)

    func machine(commitInterval: Duration = .seconds(1), batch: Int = 10, retry: Duration = .seconds(5)) -> StoreMachine {
        StoreMachine(StoreMachine.Settings(commitInterval: commitInterval, commitBatchSize: batch, retryInterval: retry))
    }

    @Test func normalModeBatchesWritesUntilTheIntervalOrTheBatchSize() {
        var m = machine()
        #expect(m.buffered(3) == [.armCommitTimer(.seconds(1))])
        #expect(m.buffered(6) == [], "one timer for the whole batch")
        #expect(m.changed() == [], "an acknowledgement waits for the same timer")
        #expect(m.commitTimerFired() == [.commit])
        #expect(m.commitStarting().mayWrite)
        #expect(m.buffered(4) == [.armCommitTimer(.seconds(1))])
        #expect(m.buffered(10) == [.commit], "the batch is full: commit now")
        let starting = m.commitStarting()
        #expect(starting.mayWrite && starting.actions == [.cancelCommitTimer])
        #expect(m.commitTimerFired() == [], "a timer cancelled as it fired does nothing")
    }

    @Test func withoutWriteBatchingEveryChangeCommitsAtOnce() {
        var m = machine(commitInterval: .zero)
        #expect(m.buffered(1) == [.commit])
        #expect(m.changed() == [.commit])
    }

    @Test func aCommitThatLeavesDeletionsAsksForOneFollowUp() {
        var m = machine()
        #expect(m.wrote(deletionBacklog: true) == [.scheduleFollowUp])
        #expect(m.wrote(deletionBacklog: true) == [], "one follow-up at a time")
        #expect(m.followUpFired() == [.commit])
        #expect(m.wrote(deletionBacklog: false) == [])
    }

    @Test func aFullDiskDegradesRetriesAndReturns() {
        var m = machine()
        _ = m.buffered(3)
        let full = StoreError(.full, operation: "commit", message: "database or disk is full")
        #expect(m.writeFailed(full, at: Self.start) == [.reportDegraded(full), .armRetryTimer(.seconds(5))])
        #expect(m.mode == .degraded(full, since: Self.start))
        #expect(!m.needsReopen, "a full disk needs space, not a new connection")
        #expect(m.buffered(20) == [] && m.changed() == [], "nothing is committed while degraded")
        #expect(!m.commitStarting().mayWrite)
        #expect(m.writeFailed(full, at: Self.start) == [], "reported once, and the retry is already armed")

        #expect(m.retryTimerFired() == [.retry])
        #expect(m.retryFailed(full) == [.armRetryTimer(.seconds(5))])
        #expect(m.retryTimerFired() == [.retry])
        #expect(m.retrySucceeded(deletionBacklog: false) == [])
        #expect(m.mode == .normal)
        #expect(m.buffered(1) == [.armCommitTimer(.seconds(1))] || m.commitTimerArmed, "commits resume")
        #expect(m.retryTimerFired() == [], "a retry timer left over from degraded mode does nothing")
    }

    @Test(arguments: [StoreError.Kind.unwritable, .io, .corrupt])
    func failuresThatReopeningMayCureReopenOnTheNextRetry(kind: StoreError.Kind) {
        var m = machine()
        _ = m.writeFailed(StoreError(kind, operation: "commit", message: "x"), at: Self.start)
        #expect(m.needsReopen)
        _ = m.retryTimerFired()
        m.reopened()
        #expect(!m.needsReopen)
        _ = m.retryFailed(StoreError(.busy, operation: "commit", message: "busy"))
        #expect(!m.needsReopen, "a busy database is retried on the same connection")
    }

    @Test func closingCancelsEverythingAndArmsNothingAgain() {
        var m = machine()
        _ = m.buffered(1)
        _ = m.writeFailed(StoreError(.full, operation: "commit", message: "full"), at: Self.start)
        #expect(m.closing() == [.cancelTimers])
        #expect(m.retryTimerFired() == [])
        #expect(m.retryFailed(StoreError(.full, operation: "commit", message: "full")) == [])
        #expect(m.buffered(50) == [] && m.changed() == [])
    }
}
