package import XMPPCore

/// Which refusals to log, so that a flood makes a handful of lines rather than one per stanza:
/// the first refusal of a sender in a `window` is logged as it is, the rest are counted and
/// summed up once the window is over ("37 more refused from mallory@example.org in the last
/// minute"). A pure value: time (monotonic) comes in, lines to log go out.
package struct RefusalLog: Sendable {
    private struct Window: Sendable {
        var started: Duration
        var suppressed = 0
    }

    package let window: Duration
    /// Senders remembered at once; refusals from more senders than that are summed up together.
    package let capacity: Int
    private var senders: [JID: Window] = [:]
    /// Refusals counted for senders past `capacity`, and how many senders that was.
    private var others: (refusals: Int, started: Duration)?

    package init(window: Duration = .seconds(60), capacity: Int = 256) {
        self.window = window
        self.capacity = capacity
    }

    /// A refusal of something from `sender` (a bare JID): the lines to log now (`line` itself
    /// the first time in a window, nothing while it repeats, a summary once a window is over).
    package mutating func record(_ sender: JID, _ line: @autoclosure () -> String, at now: Duration) -> [String] {
        var lines: [String] = []
        if var current = senders[sender] {
            if now - current.started < window {
                current.suppressed += 1
                senders[sender] = current
                return []
            }
            if let summary = Self.summary(current.suppressed, from: sender.description) { lines.append(summary) }
        } else if senders.count >= capacity {
            lines += flush(at: now)
            if senders.count >= capacity {
                others = (refusals: (others?.refusals ?? 0) + 1, started: others?.started ?? now)
                return lines
            }
        }
        senders[sender] = Window(started: now)
        lines.append(line())
        return lines
    }

    /// Summaries of the windows that are over by `now`; forgets their senders.
    package mutating func flush(at now: Duration) -> [String] {
        var lines: [String] = []
        for (sender, current) in senders where now - current.started >= window {
            senders[sender] = nil
            if let summary = Self.summary(current.suppressed, from: sender.description) { lines.append(summary) }
        }
        if let others, now - others.started >= window {
            lines.append("\(others.refusals) more refused from other senders in the last minute")
            self.others = nil
        }
        return lines.sorted()
    }

    /// When the next summary is due, if any is waiting.
    package var nextSummary: Duration? {
        let ends = senders.values.filter { $0.suppressed > 0 }.map(\.started) + [others?.started].compactMap { $0 }
        return ends.min().map { $0 + window }
    }

    private static func summary(_ count: Int, from sender: String) -> String? {
        count > 0 ? "\(count) more refused from \(sender) in the last minute" : nil
    }
}
