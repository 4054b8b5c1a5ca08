package import Support

extension ManualClock {
    /// Waits until at least `count` tasks sleep on this clock (a loop waiting for its next tick,
    /// a timer armed): then `advance` is sure to wake them rather than leave them a step behind.
    package func waitForSleepers(_ count: Int = 1, timeout: Duration = .seconds(60)) async -> Bool {
        await eventually(timeout: timeout) { sleeperCount >= count }
    }

    /// Moves time to the earliest deadline anyone sleeps for, once someone does; returns it.
    @discardableResult
    package func advanceToNextDeadline(timeout: Duration = .seconds(60)) async -> Duration? {
        guard await waitForSleepers(1, timeout: timeout), let next = nextDeadline else { return nil }
        let step = next - now()
        if step > .zero { advance(by: step) } else { advance(by: .zero) }
        return next
    }
}
