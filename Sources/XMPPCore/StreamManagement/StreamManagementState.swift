/// XEP-0198 bookkeeping for one client session, as a pure value: counters, the queue of
/// stanzas the server has not acknowledged yet, and the resumption facts. No I/O, no clock.
///
/// `Item` is whatever the session needs to resend or to settle a stanza later (its bytes and,
/// for publishes, the outbox batch it carries).
package struct StreamManagementState<Item: Sendable>: Sendable {
    /// The server's SM-ID when it allows resumption.
    package private(set) var resumptionID: String?
    /// How long the server keeps the session after a cut, in seconds, when it said so.
    package private(set) var maximumResumptionSeconds: Int?
    /// Where the server prefers resumption to go (`host:port`), if it said.
    package private(set) var location: String?
    /// Stanzas received on this session and handled: the `h` we report.
    package private(set) var inboundCount: UInt32 = 0
    /// The server's last `h`: how many of our stanzas it has handled.
    package private(set) var acknowledgedCount: UInt32 = 0
    /// Stanzas sent since `<enable/>` (wraps at 2^32 like `h`).
    package private(set) var outboundCount: UInt32 = 0
    /// Sent and not yet acknowledged, oldest first: `queue[head...]`. Settled items are
    /// dropped by moving `head`, and the array is compacted only when most of it is dead, so
    /// an ack costs O(items settled), not O(items still queued).
    private var queue: [Item] = []
    private var head = 0

    /// Sent and not yet acknowledged, oldest first.
    package var unacknowledged: ArraySlice<Item> { queue[head...] }
    package var unacknowledgedCount: Int { queue.count - head }

    package init() {}

    /// A state whose counters already stand at `count`, as after a long-lived session.
    init(countersAt count: UInt32) {
        acknowledgedCount = count
        outboundCount = count
    }

    /// Whether resumption is possible after a cut.
    package var canResume: Bool { resumptionID != nil }

    /// The server answered `<enabled/>`. Counting of inbound stanzas starts now.
    package mutating func enabled(id: String?, resume: Bool, max: Int?, location: String?) {
        resumptionID = resume ? id : nil
        maximumResumptionSeconds = max
        self.location = location
        inboundCount = 0
    }

    /// A stanza (message, presence or iq, never an SM element) went out.
    package mutating func sent(_ item: Item) {
        outboundCount &+= 1
        queue.append(item)
    }

    /// A stanza arrived and was handled.
    package mutating func received() {
        inboundCount &+= 1
    }

    /// The server acknowledged up to `h`. Returns the items this settles, oldest first.
    /// An `h` that acknowledges more than was sent is a protocol violation the caller must
    /// answer with `<undefined-condition/>` + `<handled-count-too-high/>`.
    package mutating func acknowledge(_ h: UInt32) throws(StreamManagementError) -> [Item] {
        // Modulo 2^32; a stale `h` wraps to a huge distance. Compared before converting, as
        // `Int` is 32 bits on armv7 boards.
        let distance = h &- acknowledgedCount
        guard UInt64(distance) <= UInt64(unacknowledgedCount) else {
            throw .handledCountTooHigh(h: h, sendCount: outboundCount)
        }
        let newlyAcknowledged = Int(distance)
        acknowledgedCount = h
        let settled = Array(queue[head..<(head + newlyAcknowledged)])
        head += newlyAcknowledged
        if head > 64 && head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        return settled
    }

    /// `<resumed h/>`: settles what the server handled, then hands back the rest to be sent
    /// again on the resumed stream. Counters continue; the resent items count anew as they go out.
    package mutating func resumed(h: UInt32) throws(StreamManagementError) -> (settled: [Item], resend: [Item]) {
        let settled = try acknowledge(h)
        let resend = Array(unacknowledged)
        queue.removeAll()
        head = 0
        outboundCount = h
        return (settled, resend)
    }

    /// Resumption failed, or the session ended. Settles what `<failed h/>` acknowledges (if it
    /// carried one) and returns everything else; the state is reset for a fresh `<enable/>`.
    package mutating func reset(failedH: UInt32? = nil) -> (settled: [Item], unacknowledged: [Item]) {
        var settled: [Item] = []
        if let h = failedH, let acked = try? acknowledge(h) {
            settled = acked
        }
        let rest = Array(unacknowledged)
        self = StreamManagementState()
        return (settled, rest)
    }
}

/// XEP-0198 violations by the server.
package enum StreamManagementError: Error, Sendable, Equatable, CustomStringConvertible {
    case handledCountTooHigh(h: UInt32, sendCount: UInt32)

    package var description: String {
        switch self {
        case .handledCountTooHigh(let h, let sendCount):
            "server acknowledged \(h) stanzas but only \(sendCount) were sent"
        }
    }
}
