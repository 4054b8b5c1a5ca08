import Testing
@testable import XMPPCore

@Suite struct StreamManagementStateTests {
    @Test func acknowledgementsSettleInOrder() throws {
        var sm = StreamManagementState<Int>()
        sm.enabled(id: "abc", resume: true, max: 300, location: nil)
        for i in 1...5 { sm.sent(i) }
        #expect(try sm.acknowledge(2) == [1, 2])
        #expect(try sm.acknowledge(2) == [])
        #expect(try sm.acknowledge(5) == [3, 4, 5])
        #expect(sm.unacknowledged.isEmpty)
        #expect(sm.canResume)
    }

    @Test func tooHighAnAckIsAViolation() {
        var sm = StreamManagementState<Int>()
        sm.enabled(id: nil, resume: false, max: nil, location: nil)
        sm.sent(1)
        #expect(throws: StreamManagementError.handledCountTooHigh(h: 2, sendCount: 1)) { try sm.acknowledge(2) }
        #expect(!sm.canResume)
    }

    /// h is an unsignedInt that wraps from 2^32-1 to 0.
    @Test func countersWrapAt32Bits() throws {
        var sm = StreamManagementState<Int>(countersAt: .max - 1)
        for i in 0..<4 { sm.sent(i) }
        #expect(sm.outboundCount == 2)
        #expect(try sm.acknowledge(.max) == [0])
        #expect(try sm.acknowledge(1) == [1, 2])
        #expect(throws: StreamManagementError.self) { try sm.acknowledge(3) }
        #expect(try sm.acknowledge(2) == [3])
    }

    /// Long backlogs: acks settle exactly the right items while the queue compacts itself.
    @Test func longBacklogsSettleInOrder() throws {
        var sm = StreamManagementState<Int>()
        sm.enabled(id: "x", resume: true, max: nil, location: nil)
        var settled: [Int] = []
        var next = 0
        for round in 0..<200 {
            for _ in 0..<37 { sm.sent(next); next += 1 }
            settled += try sm.acknowledge(UInt32(min(next, round * 31 + 31)))
        }
        #expect(settled == Array(0..<settled.count))
        #expect(sm.unacknowledgedCount == next - settled.count)
        #expect(Array(sm.unacknowledged) == Array(settled.count..<next))
    }

    @Test func inboundCountStartsAtEnabled() {
        var sm = StreamManagementState<Int>()
        sm.received()
        sm.enabled(id: nil, resume: false, max: nil, location: nil)
        #expect(sm.inboundCount == 0)
        sm.received()
        sm.received()
        #expect(sm.inboundCount == 2)
    }

    @Test func resumptionResendsTheRestAndContinuesCounting() throws {
        var sm = StreamManagementState<String>()
        sm.enabled(id: "abc", resume: true, max: 60, location: "host:5222")
        for s in ["a", "b", "c", "d"] { sm.sent(s) }
        _ = try sm.acknowledge(1)
        let (settled, resend) = try sm.resumed(h: 2)
        #expect(settled == ["b"])
        #expect(resend == ["c", "d"])
        #expect(sm.outboundCount == 2)
        for s in resend { sm.sent(s) }
        #expect(try sm.acknowledge(4) == ["c", "d"])
        #expect(sm.location == "host:5222")
    }

    @Test func failedResumptionHandsBackUnacknowledged() {
        var sm = StreamManagementState<Int>()
        sm.enabled(id: "abc", resume: true, max: nil, location: nil)
        for i in 1...4 { sm.sent(i) }
        let (settled, rest) = sm.reset(failedH: 1)
        #expect(settled == [1])
        #expect(rest == [2, 3, 4])
        #expect(!sm.canResume)
        #expect(sm.outboundCount == 0)
    }
}
