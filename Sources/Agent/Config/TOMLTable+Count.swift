import TOML

extension TOMLTable {
    /// An integer setting that must lie in `range` (a window, a share, a queue's bound); the
    /// error names the key and the range.
    func count(_ key: String, in range: ClosedRange<Int64>) throws(TOMLError) -> Int? {
        guard let value = try integer(key) else { return nil }
        guard range.contains(value) else { throw error("\(key) must be between \(range.lowerBound) and \(range.upperBound)", at: key) }
        return Int(value)
    }
}
