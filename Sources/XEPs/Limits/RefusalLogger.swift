package import Support
import Synchronization
package import XMPPCore

/// Logs refusals through a `RefusalLog`, shared by the router and the handlers that refuse, and
/// writes the summaries when their minute is over. The timer runs only while a summary waits.
package final class RefusalLogger: Sendable {
    private struct State: Sendable {
        var log: RefusalLog
        var timerRunning = false
    }

    private let state: Mutex<State>
    private let clock: any AgentClock
    private let logger = Logger("access")

    package init(window: Duration = .seconds(60), clock: any AgentClock = SystemClock()) {
        state = Mutex(State(log: RefusalLog(window: window)))
        self.clock = clock
    }

    /// The router's refusal of a request for lack of a role, in `AccessLog`'s words:
    /// `refused get req (urn:xmpp:iot:sensordata) from mallory@example.org/x (stranger; viewer needed)`.
    package func refused(_ what: @autoclosure () -> String, from: JID, role: Role, needed: Role) {
        refused("refused \(what()) from \(from) (\(role); \(needed) needed)", from: from)
    }

    /// Any refusal of `from`'s request; `line` is logged unless it is one of a repeating series.
    package func refused(_ line: @autoclosure () -> String, from: JID) {
        let now = clock.now()
        let (lines, startTimer) = state.withLock { state in
            let lines = state.log.record(from.bare, line(), at: now)
            let start = !state.timerRunning && state.log.nextSummary != nil
            if start { state.timerRunning = true }
            return (lines, start)
        }
        for line in lines { logger.info(line) }
        if startTimer { Task { await self.writeSummaries() } }
    }

    /// Sleeps until each summary is due and writes it; ends when none waits.
    private func writeSummaries() async {
        while let due = state.withLock({ state in
            let due = state.log.nextSummary
            if due == nil { state.timerRunning = false }
            return due
        }) {
            try? await clock.sleep(until: due)
            let now = clock.now()
            for line in state.withLock({ $0.log.flush(at: now) }) { logger.info(line) }
        }
    }
}
