/// Which sequence numbers of one device the export has written, as disjoint ranges: a
/// device's numbers run on consecutively, so a steady stream is one range however long it
/// runs, and memory grows only with the gaps. Resent batches (after a failed resumption, a
/// crash) and items seen twice (a live notification and a fetch after a reconnect) are
/// recognised by their range and dropped.
struct SequenceLedger: Sendable, Hashable {
    /// Sorted, disjoint, non-adjacent closed ranges.
    private(set) var ranges: [ClosedRange<UInt64>] = []
    /// Beyond this many gaps the oldest ranges are merged: numbers that old are not expected again.
    let capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    /// Whether every number of `batch` has been recorded.
    func contains(_ batch: ClosedRange<UInt64>) -> Bool {
        guard let index = ranges.lastIndex(where: { $0.lowerBound <= batch.lowerBound }) else { return false }
        return ranges[index].upperBound >= batch.upperBound
    }

    /// Whether `batch` lies beyond a gap after everything recorded: numbers in between were
    /// missed (published while the console was away, say) and may still be fetched.
    func followsGap(_ batch: ClosedRange<UInt64>) -> Bool {
        guard let last = ranges.last else { return false }
        return batch.lowerBound > last.upperBound &+ 1
    }

    /// The numbers missing between what was recorded, oldest first.
    var gaps: [ClosedRange<UInt64>] {
        zip(ranges, ranges.dropFirst()).map { ($0.upperBound + 1)...($1.lowerBound - 1) }
    }

    /// The gaps wholly before `oldestHeld`, the first number of the oldest batch the device's
    /// node holds (nil: it holds none): nothing can fill them any more.
    func gaps(before oldestHeld: UInt64?) -> [ClosedRange<UInt64>] {
        gaps.filter { $0.upperBound < oldestHeld ?? .max }
    }

    /// Records `batch`; returns the part of it not recorded before (nil when nothing is new).
    /// A batch is all or nothing in practice: the agent resends whole batches.
    @discardableResult
    mutating func record(_ batch: ClosedRange<UInt64>) -> ClosedRange<UInt64>? {
        guard !contains(batch) else { return nil }
        var merged = batch
        var kept: [ClosedRange<UInt64>] = []
        kept.reserveCapacity(ranges.count + 1)
        for range in ranges {
            if range.upperBound &+ 1 < merged.lowerBound || merged.upperBound &+ 1 < range.lowerBound {
                kept.append(range)
            } else {
                merged = min(range.lowerBound, merged.lowerBound)...max(range.upperBound, merged.upperBound)
            }
        }
        let index = kept.firstIndex { $0.lowerBound > merged.lowerBound } ?? kept.count
        kept.insert(merged, at: index)
        if kept.count > capacity {
            kept[1] = kept[0].lowerBound...kept[1].upperBound
            kept.removeFirst()
        }
        ranges = kept
        return batch
    }
}
