import Readings
import Store
import Support

/// The stored readings a historical readout selects, read from the store a page at a time
/// (oldest first, up to `limit` in all), so that only one page is in memory at once.
///
/// Each page continues after the last reading handed out, by time then sequence number: the
/// next query starts at that reading's time and skips the readings of that time already given.
struct HistoryPager: Sendable {
    let selection: ReadoutSelection
    let limit: Int
    let pageSize: Int
    /// The last reading handed out, and how many handed out share its time.
    private var last: (time: Timestamp, sequence: UInt64, sameTime: Int)?
    private(set) var delivered = 0
    private(set) var isFinished: Bool

    init(selection: ReadoutSelection, limit: Int, pageSize: Int) {
        self.selection = selection
        self.limit = limit
        self.pageSize = max(1, pageSize)
        isFinished = !selection.history || limit <= 0
    }

    /// The next page; empty (and `isFinished`) once the selection or the limit is exhausted.
    mutating func next(from store: ReadingStore) async throws(StoreError) -> [Reading] {
        guard !isFinished else { return [] }
        let want = min(pageSize, limit - delivered)
        let skip = last?.sameTime ?? 0
        let rows = try await store.history(from: last?.time ?? selection.from, to: selection.to, names: selection.names, limit: want + skip)
        let page = Array(rows.filter(isAfterLast).prefix(want))
        if rows.count < want + skip || page.isEmpty { isFinished = true }
        delivered += page.count
        if delivered >= limit { isFinished = true }
        if let newest = page.last {
            let sameTime = page.count { $0.timestamp == newest.timestamp }
            let carried = last.map { $0.time == newest.timestamp ? $0.sameTime : 0 } ?? 0
            last = (newest.timestamp, newest.sequence, sameTime + carried)
        }
        return page
    }

    private func isAfterLast(_ reading: Reading) -> Bool {
        guard let last else { return true }
        return (reading.timestamp, reading.sequence) > (last.time, last.sequence)
    }
}
