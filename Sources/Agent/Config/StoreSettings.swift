import Glibc
package import Store
package import Support
package import TOML

extension StoreConfiguration {
    /// Where the outbox lives when the config does not say: systemd's `StateDirectory=kinglet`.
    package static let defaultPath = "/var/lib/kinglet/kinglet.db"

    /// Creates the folder of the default outbox path with mode 0700 when it is missing, and
    /// returns it; nil when there was nothing to do. systemd (`StateDirectory=`) and the package
    /// make it, but an agent run by hand must not end up with an outbox in memory for want of
    /// it. A configured path's folder is the operator's to make, with the modes they choose.
    package func createDefaultFolderIfMissing(defaultPath: String = Self.defaultPath) throws(SystemError) -> String? {
        guard path == defaultPath, let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return nil }
        let folder = String(path[..<slash])
        guard !FileIO.exists(folder) else { return nil }
        try systemCall("mkdir \(folder)") { mkdir(folder, 0o700) }
        return folder
    }

    static let keys: Set<String> = [
        "path", "synchronous", "max_readings", "max_bytes", "max_age", "overflow", "history_max_readings",
        "history_max_age", "commit_interval", "commit_batch_size", "memory_max_readings", "retry_interval",
        "max_file_bytes", "check_on_open", "busy_timeout",
    ]

    /// Reads the `[store]` section.
    package init(_ table: TOMLTable) throws(TOMLError) {
        try table.rejectUnknownKeys(allowed: Self.keys)
        self.init(path: try table.string("path") ?? Self.defaultPath)
        if let name = try table.string("synchronous") {
            guard let value = Synchronous(rawValue: name) else {
                throw table.error("synchronous must be full, normal or off, not '\(name)'", at: "synchronous")
            }
            synchronous = value
        }
        if let name = try table.string("overflow") {
            guard let value = OverflowPolicy(rawValue: name) else {
                throw table.error("overflow must be drop_oldest or reject_new, not '\(name)'", at: "overflow")
            }
            overflow = value
        }
        maxReadings = try Self.count(table, "max_readings") ?? maxReadings
        maxBytes = try Self.bytes(table, "max_bytes") ?? maxBytes
        maxAge = try table.duration("max_age") ?? maxAge
        historyMaxReadings = try Self.count(table, "history_max_readings") ?? historyMaxReadings
        historyMaxAge = try table.duration("history_max_age") ?? historyMaxAge
        commitInterval = try table.duration("commit_interval") ?? commitInterval
        commitBatchSize = try Self.count(table, "commit_batch_size") ?? commitBatchSize
        memoryMaxReadings = try Self.count(table, "memory_max_readings") ?? memoryMaxReadings
        retryInterval = try table.duration("retry_interval", atLeast: .milliseconds(100)) ?? retryInterval
        maxFileBytes = try Self.bytes(table, "max_file_bytes") ?? maxFileBytes
        checkOnOpen = try table.bool("check_on_open") ?? checkOnOpen
        busyTimeout = try table.duration("busy_timeout") ?? busyTimeout
        if commitBatchSize < 1 { throw table.error("commit_batch_size must be at least 1", at: "commit_batch_size") }
    }

    private static func count(_ table: TOMLTable, _ key: String) throws(TOMLError) -> Int? {
        guard let value = try table.integer(key) else { return nil }
        guard value >= 0, value <= Int64(Int32.max) else { throw table.error("\(key) must be between 0 and \(Int32.max)", at: key) }
        return Int(value)
    }

    private static func bytes(_ table: TOMLTable, _ key: String) throws(TOMLError) -> Int? {
        guard let value = try table.byteSize(key) else { return nil }
        guard value >= 0 else { throw table.error("\(key) must not be negative", at: key) }
        return Int(value)
    }
}
