import Testing
import XMPPCore
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

    @Test func gapsBeforeTheOldestItemANodeHoldsCannotBeFilled() {
        var ledger = SequenceLedger()
        ledger.record(1...3)
        #expect(ledger.gaps.isEmpty)
        ledger.record(10...12)
        ledger.record(20...22)
        #expect(ledger.gaps == [4...9, 13...19])
        #expect(ledger.gaps(before: 20) == [4...9, 13...19])
        #expect(ledger.gaps(before: 13) == [4...9])  // 13-19 may still come from the node
        #expect(ledger.gaps(before: 5).isEmpty)
        #expect(ledger.gaps(before: nil) == [4...9, 13...19])  // the node holds nothing
        ledger.record(4...9)
        #expect(ledger.gaps == [13...19])
    }

    @Test func theTallyReportsEachLostGapOnceAndSumsThemUp() throws {
        let a = try JID("sensor-0@example.org"), b = try JID("sensor-1@example.org")
        var tally = ExportTally()
        #expect(tally.summary == "kinglet fleet export: 0 readings from 0 devices; no gaps")
        tally.wrote(3, for: a)
        tally.wrote(3, for: a)
        tally.wrote(1, for: b)
        #expect(tally.summary == "kinglet fleet export: 7 readings from 2 devices; no gaps")
        #expect(tally.lose([4...9], at: a) == [4...9])
        #expect(tally.lose([4...9, 13...13], at: a) == [13...13])  // 4-9 was reported already
        #expect(tally.lose([4...9], at: b) == [4...9])
        #expect(tally.lostReadings == 13)
        #expect(tally.summary == "kinglet fleet export: 7 readings from 2 devices; 13 lost in 3 gaps their nodes no longer held "
            + "(sensor-0@example.org 4-9, 13; sensor-1@example.org 4-9)")
        #expect(ExportTally.warning(a, 4...9) == "warning: sensor-0@example.org: readings 4-9 are lost: its node no longer holds them (the device's [publish] max_items)")
        #expect(ExportTally.warning(a, 13...13).hasPrefix("warning: sensor-0@example.org: reading 13 is lost: "))
    }
}
