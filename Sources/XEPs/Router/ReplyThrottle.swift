package import Support
package import XMPPCore
import Synchronization

/// At most one automatic reply per sender per `window`: the "not authorized" answer to
/// strangers must not turn two bots into an endless conversation, nor the device into an
/// amplifier for someone spoofing senders. Remembers at most `capacity` senders.
package final class ReplyThrottle: Sendable {
    private let clock: any AgentClock
    private let window: Duration
    private let capacity: Int
    private let lastReply = Mutex<[JID: Duration]>([:])

    package init(window: Duration = .seconds(300), capacity: Int = 256, clock: any AgentClock = SystemClock()) {
        self.clock = clock
        self.window = window
        self.capacity = capacity
    }

    /// True when `sender` (by bare JID) may get a reply now; records the reply if so.
    package func allow(_ sender: JID) -> Bool {
        let now = clock.now()
        let key = sender.bare
        return lastReply.withLock { table in
            if let last = table[key], now - last < window { return false }
            if table.count >= capacity {
                table = table.filter { now - $0.value < window }
                // Still full of recent senders: forget the oldest rather than grow.
                if table.count >= capacity, let oldest = table.min(by: { $0.value < $1.value })?.key {
                    table[oldest] = nil
                }
            }
            table[key] = now
            return true
        }
    }
}
