import Support

extension OutboxDatabase {
    /// count, min, max and sum of the numbers `name` took within `from...to`, in one indexed
    /// pass (numeric, int and long rows; failed reads hold no value and are left out).
    func summary(name: String, from: Timestamp, to: Timestamp) throws(StoreError) -> ReadingSummary {
        let statement = try connection.statement(
            """
            SELECT count(value), min(value), max(value), total(value) FROM reading
            WHERE time >= ?1 AND time <= ?2 AND name = ?3 AND kind IN (1, 2, 3) AND value IS NOT NULL
            """)
        defer { statement.reset() }
        try statement.bind(1, from.millisecondsSinceEpoch)
        try statement.bind(2, to.millisecondsSinceEpoch)
        try statement.bind(3, name)
        guard try statement.step() else { return ReadingSummary() }
        return ReadingSummary(
            count: statement.int(0), minimum: statement.double(1), maximum: statement.double(2), sum: statement.double(3))
    }
}
