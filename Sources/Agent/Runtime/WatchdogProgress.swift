import Support

/// Decides whether the agent may tell systemd it is alive (`WATCHDOG=1`): only while the event
/// loop, the sampler and the publisher each are idle or finishing work. A part that has work
/// waiting and has finished nothing for `limit` is stuck, and then the pings stop, so that
/// systemd restarts an agent that looks connected but has stopped doing its job.
///
/// A pure value: the meters' readings and the time come in as arguments.
struct WatchdogProgress: Sendable {
    enum Part: String, Sendable, CaseIterable, Comparable {
        case eventLoop = "event loop"
        case sampler
        case publisher

        static func < (lhs: Part, rhs: Part) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// A part found stuck, and since when it has finished nothing.
    struct Stall: Sendable, Hashable {
        var part: Part
        var stuckFor: Duration
    }

    /// How long a part may be seen with work waiting and nothing finished.
    let limit: Duration
    /// Per part: what it had finished at the last look, and since when it has been seen busy
    /// with that count (nil: it was idle or had just finished something).
    private var lastSeen: [Part: (finished: UInt64, busySince: Duration?)] = [:]

    init(limit: Duration) {
        self.limit = limit
    }

    /// Looks at every part's meter at `now`; returns the stuck ones, in `Part` order (empty:
    /// all is well, ping). A part counts as stuck only once two looks at least `limit` apart
    /// both found it busy with the same count, so a burst of work between looks never does.
    mutating func check(_ readings: [Part: ProgressMeter.Reading], at now: Duration) -> [Stall] {
        var stalls: [Stall] = []
        for (part, reading) in readings.sorted(by: { $0.key < $1.key }) {
            guard reading.busy else {
                lastSeen[part] = (reading.finished, nil)
                continue
            }
            guard let last = lastSeen[part], last.finished == reading.finished, let since = last.busySince else {
                lastSeen[part] = (reading.finished, now)
                continue
            }
            if now - since >= limit { stalls.append(Stall(part: part, stuckFor: now - since)) }
        }
        return stalls
    }
}
