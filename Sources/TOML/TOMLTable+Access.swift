/// Typed access for config and profile readers. Every accessor returns nil for an absent key
/// and fails with `FILE:LINE: message` naming the key, its table and the expected type when the
/// key is present with the wrong type.
extension TOMLTable {
    package func string(_ key: String) throws(TOMLError) -> String? {
        try typed(key, "a string", \.stringValue)
    }

    package func integer(_ key: String) throws(TOMLError) -> Int64? {
        try typed(key, "an integer", \.integerValue)
    }

    /// A float, or an integer converted, since `timeout = 5` should serve where 5.0 would.
    package func double(_ key: String) throws(TOMLError) -> Double? {
        try typed(key, "a number", \.doubleValue)
    }

    package func bool(_ key: String) throws(TOMLError) -> Bool? {
        try typed(key, "a boolean (true or false)", \.boolValue)
    }

    package func table(_ key: String) throws(TOMLError) -> TOMLTable? {
        try typed(key, "a table", \.tableValue)
    }

    package func stringArray(_ key: String) throws(TOMLError) -> [String]? {
        try typedArray(key, "an array of strings", \.stringValue)
    }

    /// The tables of `[[key]]` sections, or of an array of inline tables (the same in TOML).
    package func tableArray(_ key: String) throws(TOMLError) -> [TOMLTable]? {
        try typedArray(key, "an array of tables", \.tableValue)
    }

    // MARK: Required keys: absent fails with "missing key 'jid' in [xmpp]" at the table's line.

    package func requireString(_ key: String) throws(TOMLError) -> String {
        try required(key, string(key))
    }

    package func requireInteger(_ key: String) throws(TOMLError) -> Int64 {
        try required(key, integer(key))
    }

    package func requireDouble(_ key: String) throws(TOMLError) -> Double {
        try required(key, double(key))
    }

    package func requireBool(_ key: String) throws(TOMLError) -> Bool {
        try required(key, bool(key))
    }

    package func requireTable(_ key: String) throws(TOMLError) -> TOMLTable {
        try required(key, table(key))
    }

    package func requireStringArray(_ key: String) throws(TOMLError) -> [String] {
        try required(key, stringArray(key))
    }

    package func requireTableArray(_ key: String) throws(TOMLError) -> [TOMLTable] {
        try required(key, tableArray(key))
    }

    // MARK: Checks

    /// Fails on the first key (in document order) not in `allowed`, suggesting the nearest
    /// allowed key when one is close enough to be a typo.
    package func rejectUnknownKeys(allowed: Set<String>) throws(TOMLError) {
        for key in keys where !allowed.contains(key) {
            var message = "unknown key '\(KeyPath.display(key))'\(inTable)"
            if let suggestion = Self.nearest(to: key, in: allowed) {
                message += " (did you mean '\(suggestion)'?)"
            }
            throw error(message, at: key)
        }
    }

    /// An error at `key`'s line, or at the table's line when the key is absent or nil, for the
    /// semantic checks callers make ("port must be between 1 and 65535").
    package func error(_ message: String, at key: String?) -> TOMLError {
        TOMLError(file: file, line: key.flatMap(line(of:)) ?? line, message: message)
    }

    /// How messages name a key of this table: `'port' in [xmpp]`, or `'port'` at the top level.
    package func describe(_ key: String) -> String {
        "'\(KeyPath.display(key))'\(inTable)"
    }

    // MARK: Helpers

    private var inTable: String {
        path.isEmpty ? "" : " in \(displayName)"
    }

    private func typed<T>(_ key: String, _ expected: String, _ extract: (TOMLValue) -> T?) throws(TOMLError) -> T? {
        guard let value = self[key] else { return nil }
        guard let result = extract(value) else {
            throw error("key \(describe(key)) must be \(expected), not \(value.typeWithArticle)", at: key)
        }
        return result
    }

    private func typedArray<T>(_ key: String, _ expected: String, _ extract: (TOMLValue) -> T?) throws(TOMLError)
        -> [T]?
    {
        guard let items = try typed(key, expected, \.arrayValue) else { return nil }
        var result: [T] = []
        result.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            guard let element = extract(item) else {
                throw error(
                    "key \(describe(key)) must be \(expected), but element \(index + 1) is \(item.typeWithArticle)",
                    at: key)
            }
            result.append(element)
        }
        return result
    }

    private func required<T>(_ key: String, _ value: T?) throws(TOMLError) -> T {
        guard let value else { throw error("missing key '\(KeyPath.display(key))'\(inTable)", at: nil) }
        return value
    }

    /// The allowed key nearest to `key` by edit distance, if it is near enough to be a typo:
    /// one edit for short keys, up to three for long ones.
    static func nearest(to key: String, in allowed: Set<String>) -> String? {
        let limit = min(3, max(1, key.count / 3))
        var best: (key: String, distance: Int)?
        for candidate in allowed.sorted() {
            let distance = editDistance(Array(key), Array(candidate))
            if distance <= limit, distance < best?.distance ?? Int.max { best = (candidate, distance) }
        }
        return best?.key
    }

    /// Levenshtein distance with adjacent transpositions counted as one edit ("prot" → "port").
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var beforePrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var row = [i] + [Int](repeating: 0, count: b.count)
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    row[j] = min(row[j], beforePrevious[j - 2] + 1)
                }
            }
            beforePrevious = previous
            previous = row
        }
        return previous[b.count]
    }
}
