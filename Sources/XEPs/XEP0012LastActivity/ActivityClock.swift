package import Support
import Synchronization

/// When a contact last told the device to do something: the XEP-0012 idle time of a full JID.
///
/// The router records an IQ `set` or a message that a handler took from a contact (not from our
/// server or our bare account). Reads, disco, version, pings and last-activity queries are
/// observation and do not count, or an operator's client polling would keep the device
/// "active" for ever. Before the first command, the idle time runs from the agent's start.
package final class ActivityClock: Sendable {
    private let clock: any AgentClock
    private let last: Mutex<Duration>

    package init(clock: any AgentClock = SystemClock()) {
        self.clock = clock
        last = Mutex(clock.now())
    }

    /// A contact asked the device to act, now.
    package func record() {
        let now = clock.now()
        last.withLock { $0 = now }
    }

    /// Time since the last command, or since the start if none came.
    package var idle: Duration {
        let now = clock.now()
        return now - last.withLock { $0 }
    }
}
