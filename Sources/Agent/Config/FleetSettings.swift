package import Support
package import TOML
package import XMPPCore

/// The `[fleet]` section: the XEP-0045 room the device sits in (and the console looks into).
package struct FleetSettings: Sendable {
    /// The room's bare JID, `greenhouse@conference.example.org`; nil: no room.
    package var room: JID?
    /// The nick; nil: the device's name (`[presence] name`, else the account's local part).
    package var nick: String?
    package var password: Secret?
    /// How long the console waits for devices to answer a readout or a set.
    package var timeout: Duration = .seconds(10)
    /// Readouts or sets the console has in flight at once.
    package var concurrency = 64
    /// The console's list of devices seen, kept between runs (offline ones are listed too).
    package var cache: String?

    static let keys: Set<String> = ["room", "nick", "password", "timeout", "concurrency", "cache"]

    package init() {}

    package init(_ table: TOMLTable) throws(TOMLError) {
        try table.rejectUnknownKeys(allowed: Self.keys)
        if let text = try table.string("room") {
            guard let jid = try? JID(text), jid.local != nil, jid.resource == nil else {
                throw table.error("room must be a room's bare JID (room@conference.example.org), not '\(text)'", at: "room")
            }
            room = jid
        }
        if let nick = try table.string("nick") {
            guard !nick.isEmpty, (try? room?.with(resource: nick)) != nil || room == nil else {
                throw table.error("nick '\(nick)' is not a valid nickname", at: "nick")
            }
            self.nick = nick
        }
        password = try table.string("password").map(Secret.init)
        timeout = try table.duration("timeout", atLeast: .milliseconds(100)) ?? timeout
        if let value = try table.integer("concurrency") {
            guard (1...1024).contains(value) else { throw table.error("concurrency must be between 1 and 1024", at: "concurrency") }
            concurrency = Int(value)
        }
        cache = try table.string("cache")
        guard room != nil || (nick == nil && password == nil) else {
            throw table.error("nick and password need a room", at: nick != nil ? "nick" : "password")
        }
    }
}
