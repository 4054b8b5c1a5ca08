package import Session
package import TOML
package import XEPs

/// The `[limits]` section: what each consumer may take of the device, and the bounds on the
/// agent's own queues. Every key is optional; the defaults (README, "Flow control") hold the
/// agent's private memory under 16 MiB however hard a consumer floods it.
///
///     [limits]
///     requests = { rate = 10, burst = 20 }               # one viewer, requests a second
///     readouts = { requester = 2, domain = 4, viewers = 8, operators = 4 }
///     output_buffer = "256KiB"
package struct LimitsSettings: Sendable {
    package var consumers = ConsumerLimits()
    package var chat = ChatThrottle.Policy()
    /// `[limits] input_stanzas`, `output_buffer`, `bulk_in_flight`: the session's side.
    package var inputStanzas = 128
    package var outputBuffer = 256 * 1024
    package var bulkInFlight = 128 * 1024

    static let keys: Set<String> = [
        "requests", "domain_requests", "operator_requests", "refusals", "readouts", "scheduled_readouts",
        "command_sessions", "history_readings", "queued_stanzas", "input_stanzas", "output_buffer", "bulk_in_flight", "chat",
    ]

    package init() {}

    package init(_ table: TOMLTable) throws(TOMLError) {
        try table.rejectUnknownKeys(allowed: Self.keys)
        var requests = consumers.requests
        requests.viewer = try Self.rate(table, "requests", requests.viewer)
        requests.domain = try Self.rate(table, "domain_requests", requests.domain)
        requests.operator = try Self.rate(table, "operator_requests", requests.operator)
        if let refusals = try table.table("refusals") {
            try refusals.rejectUnknownKeys(allowed: ["burst", "every"])
            let burst = try refusals.count("burst", in: 1...1000) ?? requests.refusals.burst
            let every = try refusals.duration("every", atLeast: .milliseconds(100)) ?? .seconds(1 / requests.refusals.rate)
            requests.refusals = RateLimit(rate: 1 / (every / .seconds(1)), burst: burst)
        }
        consumers.requests = requests
        consumers.readouts = try Self.shares(table, "readouts", consumers.readouts)
        consumers.scheduledReadouts = try Self.shares(table, "scheduled_readouts", consumers.scheduledReadouts)
        consumers.commandSessions = try Self.shares(table, "command_sessions", consumers.commandSessions)
        consumers.historyReadings = try table.count("history_readings", in: 1...100_000) ?? consumers.historyReadings
        consumers.queuedStanzas = try table.count("queued_stanzas", in: 1...100_000) ?? consumers.queuedStanzas
        inputStanzas = try table.count("input_stanzas", in: 1...100_000) ?? inputStanzas
        outputBuffer = try Self.bytes(table, "output_buffer", atLeast: 16 * 1024) ?? outputBuffer
        bulkInFlight = try Self.bytes(table, "bulk_in_flight", atLeast: 16 * 1024) ?? bulkInFlight
        if let chat = try table.table("chat") { self.chat = try Self.chat(chat, self.chat) }
    }

    /// What the session takes from `[limits]`.
    package func apply(to session: inout SessionConfiguration) {
        session.inboundStanzas = inputStanzas
        session.outputBuffer = outputBuffer
        session.bulkInFlight = bulkInFlight
    }

    /// `{ rate = 10, burst = 20 }`: requests a second, and how many at once.
    private static func rate(_ table: TOMLTable, _ key: String, _ current: RateLimit) throws(TOMLError) -> RateLimit {
        guard let rate = try table.table(key) else { return current }
        try rate.rejectUnknownKeys(allowed: ["rate", "burst"])
        let perSecond = try rate.double("rate") ?? current.rate
        guard perSecond > 0, perSecond <= 100_000 else { throw rate.error("rate must be above 0 and at most 100000 a second", at: "rate") }
        return RateLimit(rate: perSecond, burst: try rate.count("burst", in: 1...100_000) ?? current.burst)
    }

    /// `{ requester = 2, domain = 4, viewers = 8, operators = 4 }`.
    private static func shares(_ table: TOMLTable, _ key: String, _ current: SharePolicy) throws(TOMLError) -> SharePolicy {
        guard let shares = try table.table(key) else { return current }
        try shares.rejectUnknownKeys(allowed: ["requester", "domain", "viewers", "operators"])
        var policy = current
        policy.perConsumer = try shares.count("requester", in: 1...10_000) ?? policy.perConsumer
        policy.perDomain = try shares.count("domain", in: 1...10_000) ?? policy.perDomain
        policy.viewers = try shares.count("viewers", in: 0...10_000) ?? policy.viewers
        policy.operators = try shares.count("operators", in: 1...10_000) ?? policy.operators
        return policy
    }

    /// `{ burst = 10, refill = "3s", quiet = "20s" }`.
    private static func chat(_ table: TOMLTable, _ current: ChatThrottle.Policy) throws(TOMLError) -> ChatThrottle.Policy {
        try table.rejectUnknownKeys(allowed: ["burst", "refill", "quiet"])
        var policy = current
        policy.burst = try table.count("burst", in: 1...10_000) ?? policy.burst
        policy.refill = try table.duration("refill", atLeast: .milliseconds(10)) ?? policy.refill
        policy.quiet = try table.duration("quiet", atLeast: .seconds(1)) ?? policy.quiet
        return policy
    }


    private static func bytes(_ table: TOMLTable, _ key: String, atLeast minimum: Int) throws(TOMLError) -> Int? {
        guard let value = try table.byteSize(key) else { return nil }
        guard value >= minimum, value <= 1 << 30 else { throw table.error("\(key) must be between 16KiB and 1GiB", at: key) }
        return Int(value)
    }
}
