/// A table of a parsed document: its keys in document order, each with its value and the line
/// that defined it, so that every later check can say `FILE:LINE:`.
package struct TOMLTable: Sendable, Equatable {
    /// The file the table came from, as given to the parser.
    package let file: String
    /// Where the table was opened: its `[header]` or `[[header]]`, its inline table, the dotted
    /// key that defined it, the header that implied it (`[a.b]` implies `a`), or 1 for the root.
    package let line: Int
    /// The dotted path for messages, such as `sensors.cpu`; "" for the root. Keys that are not
    /// bare are quoted, as in `servers."alpha.example"`.
    package let path: String
    /// True for a table inside an array (`[[sensors]]` or `[{...}]`): messages then name it `[[path]]`.
    package let isArrayElement: Bool
    /// The keys in the order the document defined them.
    package private(set) var keys: [String] = []
    private var entries: [String: Entry] = [:]

    private struct Entry: Sendable, Equatable {
        var value: TOMLValue
        var line: Int
    }

    /// An empty table; the parser fills tables through `set`. Callers may use one as the
    /// stand-in for an absent optional section.
    package init(file: String, line: Int, path: String, isArrayElement: Bool = false) {
        self.file = file
        self.line = line
        self.path = path
        self.isArrayElement = isArrayElement
    }

    package subscript(key: String) -> TOMLValue? {
        entries[key]?.value
    }

    /// The line where `key`'s value was defined, or nil when the table has no such key.
    package func line(of key: String) -> Int? {
        entries[key]?.line
    }

    package var isEmpty: Bool { keys.isEmpty }

    /// Adds or replaces a key; the parser has already rejected duplicates.
    mutating func set(_ key: String, _ value: TOMLValue, line: Int) {
        if entries.updateValue(Entry(value: value, line: line), forKey: key) == nil {
            keys.append(key)
        }
    }

    /// How messages name this table: `[sensors.cpu]`, `[[sensors]]`, or "the top level".
    package var displayName: String {
        if path.isEmpty { return "the top level" }
        return isArrayElement ? "[[\(path)]]" : "[\(path)]"
    }

    /// Tables are equal when they hold the same keys with equal values. Where they came from
    /// (file, lines, path) and the order of their keys do not matter, as in TOML itself.
    package static func == (lhs: TOMLTable, rhs: TOMLTable) -> Bool {
        lhs.entries.count == rhs.entries.count
            && lhs.entries.allSatisfy { key, entry in rhs.entries[key]?.value == entry.value }
    }
}
