/// When each sensor is due. Sensors that share an interval form one group and are sampled in the
/// same tick (so their readings travel in one batch). Tick `n` of a group falls at
/// `start + n·interval + jitter`, the jitter drawn in `[0, jitter·interval)` from a seeded
/// generator: spread over a fleet, devices stop sampling and publishing in lockstep, while
/// ticks never drift. A group that falls behind skips the ticks it missed instead of bursting.
package struct SamplingSchedule: Sendable {
    package struct Group: Sendable, Hashable {
        /// nil: sampled once, at start (identity fields).
        package let interval: Duration?
        package var members: [Int]
        package var tick: Int64
        package var due: Duration?
    }

    package private(set) var groups: [Group]
    /// Ticks skipped because a group fell more than one interval behind.
    package private(set) var missedTicks = 0
    private var start: Duration
    private let jitter: Double
    private var random: SplitMix64

    /// `intervals[i]` is sensor `i`'s interval; every group is first due at `start`.
    package init(intervals: [Duration?], start: Duration, jitter: Double = 0, seed: UInt64 = 0) {
        var groups: [Group] = []
        for (index, interval) in intervals.enumerated() {
            if let g = groups.firstIndex(where: { $0.interval == interval }) {
                groups[g].members.append(index)
            } else {
                groups.append(Group(interval: interval, members: [index], tick: 0, due: start))
            }
        }
        self.groups = groups
        self.start = start
        self.jitter = max(0, min(jitter, 0.5))
        self.random = SplitMix64(seed: seed)
    }

    /// Starts the grid again at `start`, every group due then: for a device started some time
    /// after it was made, so the wait is not counted as missed ticks.
    package mutating func rebase(to start: Duration) {
        self.start = start
        for g in groups.indices {
            groups[g].tick = 0
            groups[g].due = start
        }
    }

    /// The earliest time a group is due, or nil when nothing is left to sample.
    package var nextDue: Duration? { groups.compactMap(\.due).min() }

    /// The sensors due at `now` (in profile order), moving their groups to their next tick.
    package mutating func takeDue(at now: Duration) -> [Int] {
        var due: [Int] = []
        for g in groups.indices {
            guard let at = groups[g].due, at <= now else { continue }
            due += groups[g].members
            var group = groups[g]
            advance(&group, past: now)
            groups[g] = group
        }
        return due.sorted()
    }

    private mutating func advance(_ group: inout Group, past now: Duration) {
        guard let interval = group.interval, interval > .zero else {
            group.due = nil
            return
        }
        var next = group.tick + 1
        let behind = Int64(((now - start) / interval).rounded(.down)) + 1
        if behind > next {
            missedTicks += Int(behind - next)
            next = behind
        }
        group.tick = next
        let offset = jitter > 0 ? interval * (jitter * random.nextUnit()) : .zero
        group.due = start + interval * next + offset
    }
}
