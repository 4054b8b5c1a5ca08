import Readings

/// Batches held in memory, oldest first, with running totals: the write buffer waiting for a
/// commit, and the fallback queue while the disk cannot be written.
struct BatchQueue: Sendable {
    private var storage: [ReadingBatch] = []
    /// Index of the oldest live batch: dropping from the front is O(1), compacted now and then.
    private var head = 0
    private(set) var totals = Totals()

    var isEmpty: Bool { head == storage.count }
    var batches: ArraySlice<ReadingBatch> { storage[head...] }
    var first: ReadingBatch? { isEmpty ? nil : storage[head] }
    var last: ReadingBatch? { isEmpty ? nil : storage[storage.count - 1] }

    mutating func append(_ batch: ReadingBatch) {
        storage.append(batch)
        totals = totals + Self.totals(of: batch)
    }

    /// Removes and returns the oldest batch.
    @discardableResult
    mutating func removeFirst() -> ReadingBatch? {
        guard !isEmpty else { return nil }
        let batch = storage[head]
        head += 1
        totals = totals - Self.totals(of: batch)
        if head > 64 && head * 2 > storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return batch
    }

    /// Removes the batches whose readings all have sequence at most `sequence`.
    mutating func removeThrough(_ sequence: UInt64) {
        while let first, first.lastSequence <= sequence { removeFirst() }
    }

    /// Empties the queue, returning what it held, oldest first.
    mutating func removeAll() -> [ReadingBatch] {
        let all = Array(batches)
        storage.removeAll()
        head = 0
        totals = Totals()
        return all
    }

    static func totals(of batch: ReadingBatch) -> Totals {
        var bytes = 0
        for reading in batch.readings { bytes += ReadingRow.byteSize(reading) }
        return Totals(count: batch.readings.count, bytes: bytes)
    }
}
