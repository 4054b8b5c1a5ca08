import Support
import Testing

@testable import Devices
import Readings

@Suite struct ChangeFilterTests {
    private func reading(_ value: Double?, error: String? = nil) -> Reading {
        Reading(
            name: "t", value: value.map { .numeric($0, decimals: 2) }, qos: value == nil ? .error : .automaticReadout,
            timestamp: Timestamp(secondsSinceEpoch: 0), errorText: error)
    }

    private func kept(_ value: Double?, error: String? = nil, at seconds: Int64) -> ChangeFilter.Kept {
        ChangeFilter.Kept(value: value.map { .numeric($0, decimals: 2) }, errorText: error, at: .seconds(seconds))
    }

    @Test(arguments: [
        // (deadband, min interval s, max age s, last kept value, kept at s, new value, now s, expected)
        (0.0, 0, nil, nil as Double?, 0, 20.0, 0, true),  // first value after nothing kept: see below
        (0.0, 0, nil, 20.0, 0, 20.0, 10, false),  // unchanged
        (0.0, 0, nil, 20.0, 0, 20.01, 10, true),  // any change without a deadband
        (0.5, 0, nil, 20.0, 0, 20.4, 10, false),  // inside the deadband
        (0.5, 0, nil, 20.0, 0, 20.5, 10, false),  // exactly the deadband is not beyond it
        (0.5, 0, nil, 20.0, 0, 20.6, 10, true),
        (0.5, 0, nil, 20.0, 0, 19.4, 10, true),  // either direction
        (0.0, 30, nil, 20.0, 0, 25.0, 10, false),  // changed, but too soon
        (0.0, 30, nil, 20.0, 0, 25.0, 30, true),
        (0.5, 0, 60, 20.0, 0, 20.0, 59, false),
        (0.5, 0, 60, 20.0, 0, 20.0, 60, true),  // unchanged but old: re-sent
        (0.0, 120, 60, 20.0, 0, 20.0, 60, true),  // max age wins over min interval
    ] as [(Double, Int64, Int64?, Double?, Int64, Double, Int64, Bool)])
    func numericDecisions(
        deadband: Double, minInterval: Int64, maxAge: Int64?, last: Double?, keptAt: Int64, new: Double, now: Int64, expected: Bool
    ) {
        let filter = ChangeFilter(deadband: deadband, minInterval: .seconds(minInterval), maxAge: maxAge.map { .seconds($0) })
        let previous = last.map { kept($0, at: keptAt) }
        #expect(filter.shouldKeep(reading(new), now: .seconds(now), last: previous) == expected)
    }

    @Test func errorsAndRecoveriesAreChanges() {
        let filter = ChangeFilter(deadband: 5, maxAge: .seconds(600))
        #expect(filter.shouldKeep(reading(nil, error: "gone"), now: .seconds(10), last: kept(20, at: 0)))
        #expect(!filter.shouldKeep(reading(nil, error: "gone"), now: .seconds(20), last: kept(nil, error: "gone", at: 10)))
        #expect(filter.shouldKeep(reading(nil, error: "other"), now: .seconds(20), last: kept(nil, error: "gone", at: 10)))
        #expect(filter.shouldKeep(reading(20), now: .seconds(30), last: kept(nil, error: "gone", at: 10)))
    }

    @Test func nonNumericValuesChangeOnAnyDifference() {
        let filter = ChangeFilter(deadband: 100)
        let on = Reading(name: "m", value: .enumeration("auto", dataType: "m"), timestamp: Timestamp(secondsSinceEpoch: 0))
        let last = ChangeFilter.Kept(value: .enumeration("off", dataType: "m"), errorText: nil, at: .zero)
        #expect(filter.shouldKeep(on, now: .seconds(1), last: last))
        #expect(!filter.shouldKeep(on, now: .seconds(1), last: ChangeFilter.Kept(value: on.value, errorText: nil, at: .zero)))
    }
}

@Suite struct SamplingScheduleTests {
    @Test func groupsByIntervalAndKeepsTicksOnTheGrid() {
        var schedule = SamplingSchedule(intervals: [.seconds(10), .seconds(5), .seconds(10), nil], start: .seconds(100))
        #expect(schedule.nextDue == .seconds(100))
        #expect(schedule.takeDue(at: .seconds(100)) == [0, 1, 2, 3])
        #expect(schedule.nextDue == .seconds(105))
        #expect(schedule.takeDue(at: .seconds(104)) == [])
        #expect(schedule.takeDue(at: .milliseconds(105_003)) == [1])
        // Late by 3 ms does not push the grid: the next tick is still at 110.
        #expect(schedule.nextDue == .seconds(110))
        #expect(schedule.takeDue(at: .seconds(110)) == [0, 1, 2])
        // The once-only group (identity) never comes back.
        #expect(schedule.groups.first { $0.interval == nil }?.due == nil)
    }

    @Test func fallingBehindSkipsMissedTicks() {
        var schedule = SamplingSchedule(intervals: [.seconds(1)], start: .zero)
        #expect(schedule.takeDue(at: .zero) == [0])
        #expect(schedule.takeDue(at: .milliseconds(5_500)) == [0])
        #expect(schedule.nextDue == .seconds(6))
        #expect(schedule.missedTicks == 4)
    }

    @Test func rebaseStartsTheGridAgain() {
        var schedule = SamplingSchedule(intervals: [.seconds(1), nil], start: .zero)
        schedule.rebase(to: .seconds(600))
        #expect(schedule.takeDue(at: .seconds(600)) == [0, 1])
        #expect(schedule.missedTicks == 0)
        #expect(schedule.nextDue == .seconds(601))
    }

    @Test func jitterDelaysWithinTheFractionAndIsReproducible() {
        func dues(seed: UInt64) -> [Duration] {
            var schedule = SamplingSchedule(intervals: [.seconds(10)], start: .zero, jitter: 0.2, seed: seed)
            var out: [Duration] = []
            var now = Duration.zero
            for _ in 0..<50 {
                _ = schedule.takeDue(at: now)
                now = schedule.nextDue!
                out.append(now)
            }
            return out
        }
        let a = dues(seed: 7)
        #expect(a == dues(seed: 7))
        #expect(a != dues(seed: 8))
        for (n, due) in a.enumerated() {
            let nominal = Duration.seconds(10 * (n + 1))
            #expect(due >= nominal && due < nominal + .seconds(2))
        }
        #expect(Set(a.map { $0 - .seconds(10 * (a.firstIndex(of: $0)! + 1)) }).count > 10)
    }
}
