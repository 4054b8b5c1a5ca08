import Testing
@testable import Session

@Suite struct ReconnectBackoffTests {
    @Test func growsExponentiallyUpToTheCap() {
        var b = ReconnectBackoff(initial: .seconds(1), cap: .seconds(10))
        let ceilings: [Duration] = (0..<7).map { _ in
            let c = b.currentCeiling
            _ = b.nextDelay(unit: 1)
            return c
        }
        #expect(ceilings == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(10), .seconds(10), .seconds(10)])
    }

    @Test(arguments: [0.0, 0.25, 0.5, 1.0])
    func jitterStaysWithinHalfToFullCeiling(unit: Double) {
        var b = ReconnectBackoff(initial: .milliseconds(800), cap: .seconds(30))
        for _ in 0..<12 {
            let ceiling = b.currentCeiling
            let d = b.nextDelay(unit: unit)
            #expect(d >= ceiling / 2)
            #expect(d <= ceiling)
            #expect(d <= .seconds(30))
        }
    }

    @Test func resetStartsOverAndJumpGoesToTheCap() {
        var b = ReconnectBackoff(initial: .seconds(1), cap: .seconds(60))
        for _ in 0..<4 { _ = b.nextDelay(unit: 0) }
        b.reset()
        #expect(b.currentCeiling == .seconds(1))
        b.jumpToCap()
        #expect(b.currentCeiling == .seconds(60))
        // Many failures in a row never overflow.
        for _ in 0..<1000 { _ = b.nextDelay(unit: 1) }
        #expect(b.currentCeiling == .seconds(60))
    }
}
