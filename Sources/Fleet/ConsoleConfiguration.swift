import Agent
import Support
import TOML

/// What `kinglet fleet` needs, read from one TOML file: `[xmpp]` (the operator's or service's
/// account), and optionally `[fleet]` (the room, time limit, concurrency) and `[log]`.
/// Problems are reported as `FILE:LINE: message`, as for the agent's config.
struct ConsoleConfiguration: Sendable {
    var xmpp: XMPPSettings
    var fleet: FleetSettings
    var log: LogSettings
    var hasLogSection = false
    var warnings: [String] = []

    static let sections: Set<String> = ["xmpp", "fleet", "log"]

    static func load(path: String) throws(TOMLError) -> ConsoleConfiguration {
        let document = try TOMLDocument.load(path: path, secretKeys: ["password"])
        let root = document.root
        try root.rejectUnknownKeys(allowed: sections)
        var warnings: [String] = []
        let xmpp = try XMPPSettings(root.requireTable("xmpp"), warn: { warnings.append($0) })
        let fleet = try root.table("fleet").map { t throws(TOMLError) in try FleetSettings(t) } ?? FleetSettings()
        let logTable = try root.table("log")
        let log = try logTable.map { t throws(TOMLError) in try LogSettings(t) } ?? LogSettings()
        return ConsoleConfiguration(xmpp: xmpp, fleet: fleet, log: log, hasLogSection: logTable != nil, warnings: warnings)
    }
}

/// Why the console could not start or run: the one error type of this module.
enum ConsoleError: Error, Sendable, CustomStringConvertible {
    case tls(String)
    case notOnline(String)
    case usage(String)

    var description: String {
        switch self {
        case .tls(let text): "TLS: \(text)"
        case .notOnline(let text): text
        case .usage(let text): text
        }
    }
}
