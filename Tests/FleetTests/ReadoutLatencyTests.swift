import Testing
import XMPPCore
@testable import Fleet

@Suite struct ReadoutLatencyTests {
    func result(_ n: Int, ms: Int64?, outcome: DeviceOutcome = .ok) -> ReadoutResult {
        var r = ReadoutResult(jid: try! JID("sim-\(n)@example.org/kinglet"), outcome: outcome)
        r.latency = ms.map { .milliseconds($0) }
        return r
    }

    @Test func percentilesOverTheDevicesThatAnswered() {
        var results = (1...100).map { result($0, ms: Int64($0)) }
        results.append(result(101, ms: 10_000, outcome: .timedOut))  // not an answer
        results.append(result(102, ms: nil, outcome: .unreachable("offline")))
        #expect(ConsoleOutput.latencySummary(results) == "latency p50 51.0 ms, p99 100.0 ms, max 100.0 ms\n")
        #expect(ConsoleOutput.readoutJSON([result(1, ms: 12)]).contains("\"ms\":12.0"))
        #expect(ConsoleOutput.readoutJSON([result(2, ms: nil, outcome: .unreachable("offline"))]).contains("\"ms\":null"))
    }

    @Test func nothingWhenNoDeviceAnswered() {
        #expect(ConsoleOutput.latencySummary([result(1, ms: 10_000, outcome: .timedOut)]).isEmpty)
    }

    @Test func tenthsOfAMillisecond() {
        #expect(ConsoleOutput.milliseconds(.microseconds(1_234_567)) == "1234.5")
    }
}
