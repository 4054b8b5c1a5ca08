import Synchronization

/// Bounds what the I/O thread has received and handed up but its consumers have not finished
/// with: at `high` elements outstanding the thread stops reading the socket (TCP then pushes back
/// on the server) until they are down to `low`.
///
/// One window serves a session across its connections, so an element of an old connection still
/// being handled counts against the next one too. The I/O thread counts every element it hands
/// up (`acquire`); whoever finishes with one calls `release`, or lets an `InboundTicket` do it.
package final class InboundWindow: Sendable {
    package let high: Int
    package let low: Int
    private let outstanding = Atomic<Int>(0)
    /// The command queue of the I/O thread that stopped reading, to wake it once the window
    /// has room again; nil while reading.
    private let pausedReader = Mutex<CommandQueue?>(nil)

    /// `high` elements outstanding stop reading; it resumes at `low` (at most `high`, at least 0).
    package init(high: Int, low: Int? = nil) {
        self.high = max(1, high)
        self.low = min(self.high - 1, max(0, low ?? self.high / 4))
    }

    /// How many elements are handed up and not yet finished with.
    package var count: Int { outstanding.load(ordering: .relaxed) }

    /// The I/O thread handed one element up.
    func acquire() {
        outstanding.add(1, ordering: .relaxed)
    }

    /// One element is finished with. Wakes a reader that stopped once the window is down to `low`.
    package func release() {
        let now = outstanding.subtract(1, ordering: .relaxed).newValue
        guard now <= low else { return }
        let reader = pausedReader.withLock { paused -> CommandQueue? in
            defer { paused = nil }
            return paused
        }
        reader?.wake()
    }

    /// Whether the I/O thread behind `reader` may read now. When it may not, it is remembered and
    /// woken through its command queue once the window has drained to `low`. Decided under the
    /// lock that `release` takes to wake, so a release between the check and the pause still wakes.
    func allowsReading(wake reader: CommandQueue) -> Bool {
        pausedReader.withLock { paused in
            if paused != nil || outstanding.load(ordering: .relaxed) >= high {
                paused = reader  // the thread asking now is the one to wake (a new connection's)
                return false
            }
            return true
        }
    }
}

/// One received element in the hands of a consumer: the window counts it until the ticket is
/// gone. Carried with the element, so an element dropped anywhere (handled, refused, left in a
/// finished stream) is released without anyone having to remember to.
package final class InboundTicket: Sendable {
    private let window: InboundWindow?

    /// A ticket for an element the I/O thread counted in `window` (nil: not counted).
    package init(_ window: InboundWindow?) {
        self.window = window
    }

    deinit {
        window?.release()
    }
}
