import Testing
@testable import Fleet

@Suite struct SequenceLedgerTests {
    @Test func aSteadyStreamIsOneRangeAndResendsAreDropped() {
        var ledger = SequenceLedger()
        #expect(ledger.record(1...3) == 1...3)
        #expect(ledger.record(4...6) == 4...6)
        #expect(ledger.record(1...3) == nil)  // resent after a failed resumption
        #expect(ledger.ranges == [1...6])
        // Out of order (a node's last item before the backlog), then the gap fills.
        #expect(ledger.record(10...12) == 10...12)
        #expect(ledger.ranges == [1...6, 10...12])
        #expect(ledger.record(7...9) == 7...9)
        #expect(ledger.ranges == [1...12])
        #expect(ledger.record(10...12) == nil)
    }

    @Test func gapsBeyondTheCapacityMergeTheOldest() {
        var ledger = SequenceLedger(capacity: 3)
        for first in stride(from: UInt64(0), to: 50, by: 10) { ledger.record(first...first + 1) }
        #expect(ledger.ranges.count == 3)
        #expect(ledger.ranges.last == 40...41)
        #expect(ledger.contains(0...1) && ledger.contains(5...5))
    }
}
