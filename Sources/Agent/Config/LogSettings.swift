package import Support
package import TOML

/// The `[log]` section.
package struct LogSettings: Sendable {
    package var level: LogLevel = .info
    package var timestamps = false

    package init() {}

    package init(_ table: TOMLTable) throws(TOMLError) {
        try table.rejectUnknownKeys(allowed: ["level", "timestamps"])
        if let name = try table.string("level") {
            guard let level = LogLevel(name: name) else {
                throw table.error("level must be debug, info, warning or error, not '\(name)'", at: "level")
            }
            self.level = level
        }
        timestamps = try table.bool("timestamps") ?? false
    }
}
