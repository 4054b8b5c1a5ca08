/// What `[limits]` sets for the features that serve consumers: request rates, refusals, and the
/// shares of readouts in progress, scheduled readouts and command sessions. The defaults hold
/// the agent's private memory under 16 MiB under a flood (README, "Flow control").
package struct ConsumerLimits: Sendable, Hashable {
    /// Request rates per consumer and per domain entry, and how many refusals are answered.
    package var requests = RequestBudgets.Policy()
    /// XEP-0323 readouts being sent at once.
    package var readouts = SharePolicy(perConsumer: 2, perDomain: 4, viewers: 8, operators: 4)
    /// XEP-0323 readouts waiting for their `when`.
    package var scheduledReadouts = SharePolicy(perConsumer: 4, perDomain: 8, viewers: 24, operators: 8)
    /// XEP-0050 command sessions open at once.
    package var commandSessions = SharePolicy(perConsumer: 4, perDomain: 8, viewers: 32, operators: 16)
    /// The most stored readings one historical readout returns.
    package var historyReadings = 1000
    /// Stanzas waiting for a handler, per role (operators, viewers, strangers each have a queue).
    package var queuedStanzas = 64

    package init() {}
}
