package import TOML

/// The `[access]` section: who may read and who may control. Entries are bare JIDs or domains.
package struct AccessSettings: Sendable {
    package var operators: [String] = []
    package var viewers: [String] = []

    package init() {}

    package init(_ table: TOMLTable) throws(TOMLError) {
        try table.rejectUnknownKeys(allowed: ["operators", "viewers"])
        operators = try Self.entries(table, "operators")
        viewers = try Self.entries(table, "viewers")
    }

    private static func entries(_ table: TOMLTable, _ key: String) throws(TOMLError) -> [String] {
        let list = try table.stringArray(key) ?? []
        for entry in list {
            guard !entry.isEmpty, !entry.contains("/") else {
                throw table.error("\(key) entries are bare JIDs (user@domain) or domains, not '\(entry)'", at: key)
            }
        }
        return list
    }
}
