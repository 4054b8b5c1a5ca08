import Support
import Testing

@testable import Doctor

@Suite struct FindingTests {
    @Test func oneLineWithItsMarkAndHowToFix() {
        #expect(Finding.ok("clock", "2026-01-01T00:00:00Z").line == "✔ clock: 2026-01-01T00:00:00Z")
        #expect(Finding.failed("TLS", "certificate not trusted", fix: "set [xmpp] ca_file").line
            == "✘ TLS: certificate not trusted → set [xmpp] ca_file")
        #expect(Finding.warning("clock", "x", fix: "y").line == "⚠ clock: x → y")
    }

    @Test func aFailureFailsTheReportAWarningDoesNot() {
        var report = DoctorCommand.Report(output: { _ in })
        report.add(.ok("a", "fine"))
        report.add(.warning("b", "hm", fix: "look"))
        #expect(report.finish() == 0)
        report.add(.failed("c", "broken", fix: "mend"))
        #expect(report.finish() == 1)
    }
}

@Suite struct ClockCheckTests {
    let built = Timestamp(xsDateTime: "2026-03-01T12:00:00Z")!

    @Test func aClockBeforeTheBuildIsWrong() {
        let finding = ClockCheck.finding(now: Timestamp(xsDateTime: "2025-03-01T12:00:00Z")!, built: built)
        #expect(finding.mark == .failed)
        #expect(finding.text == "the clock says 2025-03-01T12:00:00Z, before this binary was built (2026-03-01T12:00:00Z)")
        #expect(ClockCheck.finding(now: Timestamp(secondsSinceEpoch: 0), built: built).mark == .failed)
    }

    @Test func aClockAfterTheBuildHolds() {
        // Within a day before it is fine too: a binary copied from a machine whose clock ran ahead.
        for now in ["2026-03-01T00:00:00Z", "2026-03-01T12:00:01Z", "2027-01-01T00:00:00Z"] {
            let finding = ClockCheck.finding(now: Timestamp(xsDateTime: now)!, built: built)
            #expect(finding.mark == .ok && finding.text == "\(now) (this binary was built 2026-03-01T12:00:00Z)", "\(now)")
        }
        #expect(ClockCheck.finding(now: Timestamp(xsDateTime: "2026-06-01T00:00:00Z")!, built: nil).mark == .ok)
    }

    @Test func thisMachine() {
        #expect(ClockCheck.builtAt() != nil)
        #expect(ClockCheck.run().mark != .failed)
    }
}
