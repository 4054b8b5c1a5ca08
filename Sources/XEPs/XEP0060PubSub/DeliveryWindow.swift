package import XMPPCore

/// The publishes in flight, as a pure value: what was sent, what the server has acknowledged
/// (XEP-0198) and answered (the IQ result), and how far the outbox can be acknowledged.
///
/// A publish **settles** (its readings may leave the outbox) when
/// - it went out under XEP-0198 (`tracked`): the server acknowledged it with `<a h/>` and did
///   not answer it with an error nor leave it unanswered past its time limit. An ack with the
///   answer lost to a cut counts: the server took responsibility for it;
/// - it went out without XEP-0198: its IQ result arrived.
///
/// Acks and settlement are in order, so one number (`settledThrough`) says how far the outbox
/// is done. An error answer, no answer within the time limit, or a publish without XEP-0198
/// whose answer was lost to a cut, is a **problem**: nothing after it settles, nothing new is
/// sent, and once the window is quiet (every answer and ack in) the publisher deals with it and
/// sends again from it.
package struct DeliveryWindow: Sendable {
    package enum Answer: Sendable, Equatable {
        case waiting
        /// The IQ result: the item is on the node.
        case published
        /// An error reply.
        case refused(StanzaError)
        /// No answer will come: the connection went away.
        case unknown
        /// No answer came in time on a live stream: taken like a refusal, even when acknowledged
        /// (a server without PEP may take a publish and drop it without a word).
        case unanswered
    }

    package struct Entry: Sendable, Equatable {
        package let first: UInt64
        package let last: UInt64
        package let requestID: String
        /// Sent while XEP-0198 was on, so the server's acks count for it.
        package let tracked: Bool
        package var handled = false
        package var answer = Answer.waiting

        var settles: Bool {
            switch answer {
            case .published: handled || !tracked
            case .unknown: tracked && handled
            case .waiting, .refused, .unanswered: false
            }
        }

        var isProblem: Bool {
            switch answer {
            case .refused, .unanswered: true
            case .unknown: !tracked
            case .waiting, .published: false
            }
        }

        /// Needs nothing more from the server.
        var isQuiet: Bool { answer != .waiting && (handled || !tracked) }

        /// Safe to keep across a new stream: the server has it, or has handled it.
        var survivesRestart: Bool {
            if case .refused = answer { return false }
            return answer == .published || (answer != .unanswered && tracked && handled)
        }
    }

    /// The most publishes in flight at once.
    package let capacity: Int
    /// Oldest first: `storage[head...]`.
    private var storage: [Entry] = []
    private var head = 0
    /// The last sequence handed to the server on this stream (or settled): where reading the
    /// outbox continues.
    package private(set) var cursor: UInt64
    /// Every reading up to here has settled.
    package private(set) var settledThrough: UInt64

    package init(capacity: Int, settledThrough: UInt64 = 0) {
        self.capacity = max(1, capacity)
        self.cursor = settledThrough
        self.settledThrough = settledThrough
    }

    package var entries: ArraySlice<Entry> { storage[head...] }
    package var count: Int { storage.count - head }
    package var isFull: Bool { count >= capacity }
    package var isEmpty: Bool { count == 0 }

    /// The oldest entry that is a problem, if any.
    package var problem: Entry? { entries.first { $0.isProblem } }

    /// Every entry has its answer and, when tracked, its ack: nothing more will arrive.
    package var isQuiet: Bool { entries.allSatisfy(\.isQuiet) }

    /// Records a publish of the readings `first...last`.
    package mutating func sent(first: UInt64, last: UInt64, requestID: String, tracked: Bool) {
        storage.append(Entry(first: first, last: last, requestID: requestID, tracked: tracked))
        cursor = max(cursor, last)
    }

    /// Takes back the newest publish, which the transport could not send (it went offline).
    package mutating func unsend(_ requestID: String) {
        guard let index = storage.indices.last, index >= head, storage[index].requestID == requestID else { return }
        cursor = storage[index].first - 1
        storage.removeLast()
    }

    /// XEP-0198 acknowledged the publish tagged `tag` (its last sequence) and, acks being
    /// cumulative, everything sent before it. Returns the new settled point if it moved.
    package mutating func acknowledged(through tag: UInt64) -> UInt64? {
        guard let index = storage[head...].firstIndex(where: { $0.last == tag }) else { return nil }
        for i in head...index where storage[i].tracked { storage[i].handled = true }
        return settle()
    }

    /// The IQ answer for `requestID` arrived (or never will). Returns the new settled point if it moved.
    package mutating func answered(_ requestID: String, _ answer: Answer) -> UInt64? {
        guard let index = storage[head...].firstIndex(where: { $0.requestID == requestID }) else { return nil }
        storage[index].answer = answer
        return settle()
    }

    /// A new stream without resumption: keeps the oldest entries the server has (answered or
    /// acknowledged), forgets the rest and moves the cursor back so they are sent again.
    /// Returns how many were forgotten.
    @discardableResult
    package mutating func restart() -> Int {
        let keep = storage[head...].prefix { $0.survivesRestart }.count
        return truncate(keeping: keep)
    }

    /// Once quiet: forgets the problem entry and everything after it, so the publisher sends
    /// again from its first reading. Returns the problem entry.
    @discardableResult
    package mutating func dropFromProblem() -> Entry? {
        guard let index = storage[head...].firstIndex(where: \.isProblem) else { return nil }
        let entry = storage[index]
        truncate(keeping: index - head)
        return entry
    }

    @discardableResult
    private mutating func truncate(keeping keep: Int) -> Int {
        let dropped = count - keep
        guard dropped > 0 else { return 0 }
        storage.removeLast(dropped)
        cursor = storage.last.map { $0.last } ?? settledThrough
        if storage.count == head { cursor = settledThrough }
        return dropped
    }

    /// Pops settled entries from the front.
    private mutating func settle() -> UInt64? {
        let before = settledThrough
        while head < storage.count, storage[head].settles {
            settledThrough = max(settledThrough, storage[head].last)
            head += 1
        }
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 64 && head * 2 > storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return settledThrough > before ? settledThrough : nil
    }
}
