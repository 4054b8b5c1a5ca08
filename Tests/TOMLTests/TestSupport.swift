import TOML

/// Parses a test document under the file name every expected message uses.
func parse(_ text: String) throws(TOMLError) -> TOMLDocument {
    try TOMLDocument.parse(text, file: "test.toml")
}

/// The value at a path of keys and array indexes separated by "/" (keys may contain dots),
/// such as "fruit/0/name".
func value(at path: String, in table: TOMLTable) -> TOMLValue? {
    var current: TOMLValue = .table(table)
    for part in path.split(separator: "/", omittingEmptySubsequences: false).map(String.init) {
        switch current {
        case .table(let table):
            guard let next = table[part] else { return nil }
            current = next
        case .array(let items):
            guard let index = Int(part), items.indices.contains(index) else { return nil }
            current = items[index]
        default:
            return nil
        }
    }
    return current
}
