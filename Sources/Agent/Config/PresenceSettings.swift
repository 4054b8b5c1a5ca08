package import TOML
package import XEPs

/// The `[presence]` section: how the device shows itself to its contacts.
///
/// ```toml
/// [presence]
/// status = "{health} · {sensors} sensors · {pending} queued"   # the status line
/// priority = 0                # <priority/>, -128 to 127; left out when absent
/// check_interval = "10s"      # how often health and backlog are looked at (at least 1s)
/// backlog_threshold = 100     # pending readings from which the backlog shows
/// failing_show = "dnd"        # <show/> while something fails: away, chat, dnd, xa or available
/// backlog_show = "away"       # <show/> while a backlog waits
/// name = "Greenhouse 3"       # the disco identity name (default: the profile's name)
/// disclose_os = true          # tell the OS and kernel in XEP-0092 and disco (false withholds)
/// ```
///
/// Status placeholders: `{health}`, `{sensors}`, `{controls}`, `{failing}`, `{failing_count}`,
/// `{problems}`, `{pending}`, `{dropped}`, `{profile}`, `{version}`; `{{` and `}}` are
/// literal braces. `PresenceStatus.placeholders` says what each becomes.
extension PresenceConfiguration {
    static let keys: Set<String> = [
        "status", "priority", "check_interval", "backlog_threshold", "failing_show", "backlog_show", "name", "disclose_os",
    ]

    /// Reads the `[presence]` section.
    package init(_ table: TOMLTable) throws(TOMLError) {
        try table.rejectUnknownKeys(allowed: Self.keys)
        self.init()
        if let text = try table.string("status") {
            switch StatusTemplate.parse(text) {
            case .template(let template): status = template
            case .problem(let message): throw table.error(message, at: "status")
            }
        }
        if let value = try table.integer("priority") {
            guard let priority = Int8(exactly: value) else { throw table.error("priority must be between -128 and 127", at: "priority") }
            self.priority = priority
        }
        checkInterval = try table.duration("check_interval", atLeast: .seconds(1)) ?? checkInterval
        if let value = try table.integer("backlog_threshold") {
            guard value >= 1, value <= Int64(Int32.max) else {
                throw table.error("backlog_threshold must be between 1 and \(Int32.max)", at: "backlog_threshold")
            }
            backlogThreshold = Int(value)
        }
        failingShow = try Self.show(table, "failing_show") ?? failingShow
        backlogShow = try Self.show(table, "backlog_show") ?? backlogShow
        if let name = try table.string("name") {
            guard !name.isEmpty else { throw table.error("name must not be empty", at: "name") }
            self.name = name
        }
        discloseOperatingSystem = try table.bool("disclose_os") ?? discloseOperatingSystem
    }

    /// A `<show/>` value; `available` means none (the outer optional is "key absent").
    private static func show(_ table: TOMLTable, _ key: String) throws(TOMLError) -> PresenceShow?? {
        guard let name = try table.string(key) else { return nil }
        if name == "available" { return .some(nil) }
        guard let show = PresenceShow(rawValue: name) else {
            throw table.error("\(key) must be away, chat, dnd, xa or available, not '\(name)'", at: key)
        }
        return .some(show)
    }
}
