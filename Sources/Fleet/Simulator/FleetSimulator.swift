package import Agent
import Support
import Synchronization

/// Many simulated devices in one process (`kinglet fleet simulate`), each a whole
/// `KingletAgent`: its own session, TLS session, parser, outbox, presence and handlers, as on
/// a board. Devices are started at `loginsPerSecond`, so that a login storm can be measured or
/// avoided; `stop()` takes them all offline cleanly.
package final class FleetSimulator: Sendable {
    /// How many devices are where, at one moment.
    package struct Counts: Sendable, Equatable {
        package var online = 0
        /// Started and not online: connecting for the first time or again.
        package var reconnecting = 0
        /// Could not start, or their session reported an error that retrying does not fix
        /// (a wrong password, a certificate) since they were last online.
        package var failed = 0
        /// Not started yet (the login rate holds them back).
        package var waiting = 0
    }

    /// How the devices ended, once `run` returns.
    package struct Ending: Sendable, Equatable {
        package var clean = 0
        package var failed = 0
    }

    private struct State {
        var running: [Int: KingletAgent] = [:]
        var launched = 0
        var startFailures = 0
        var ending = Ending()
        var stopping = false
    }

    private let template: AgentConfiguration
    private let count: Int
    private let loginsPerSecond: Double
    private let state = Mutex(State())
    private let log = Logger("fleet")

    /// `template` has `{n}` in its JID and store path (`fleetTemplateProblem` says when not);
    /// devices are numbered 1...count.
    package init(template: AgentConfiguration, count: Int, loginsPerSecond: Double) {
        self.template = template
        self.count = count
        self.loginsPerSecond = loginsPerSecond
    }

    /// Starts the devices at the login rate and returns when every one of them has ended
    /// (after `stop()`).
    package func run() async -> Ending {
        let begin = ContinuousClock.now
        let interval = Duration.seconds(1 / loginsPerSecond)
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<count {
                try? await Task.sleep(until: begin + interval * index, clock: .continuous)
                let go = state.withLock { state in
                    guard !state.stopping else { return false }
                    state.launched += 1
                    return true
                }
                guard go else { break }
                group.addTask { await self.runDevice(index + 1) }
            }
        }
        return state.withLock { $0.ending }
    }

    /// Takes every running device offline cleanly (unavailable presence, stream closed, outbox
    /// on disk) and starts no more; `run` returns once they are all offline.
    package func stop() async {
        let agents = state.withLock { state in
            state.stopping = true
            return Array(state.running.values)
        }
        await withTaskGroup(of: Void.self) { group in
            for agent in agents {
                group.addTask { await agent.stop("the simulation is stopping") }
            }
        }
    }

    package func counts() async -> Counts {
        let (agents, counted) = state.withLock { state in
            let ended = state.ending.clean + state.ending.failed
            // Launched devices whose agent is still opening its outbox count as reconnecting.
            let starting = state.launched - state.startFailures - state.running.count - ended
            return (Array(state.running.values),
                Counts(reconnecting: starting, failed: state.startFailures, waiting: count - state.launched))
        }
        var counts = counted
        for agent in agents {
            let status = await agent.connectionStatus()
            if status.online {
                counts.online += 1
            } else if status.error != nil {
                counts.failed += 1
            } else {
                counts.reconnecting += 1
            }
        }
        return counts
    }

    /// One device for its whole life; a requested restart ("Restart agent") starts it again.
    private func runDevice(_ number: Int) async {
        let configuration: AgentConfiguration
        do {
            configuration = try template.simulatedDevice(number)
        } catch {
            log.error("device \(number): \(error)")
            state.withLock { $0.startFailures += 1 }
            return
        }
        let tag = configuration.xmpp.jid.local ?? String(number)
        await Logger.$agentTag.withValue(tag) {
            while true {
                let agent: KingletAgent
                do {
                    // In a task of its own: a task keeps the memory of its deepest frames until it
                    // ends, and starting an agent goes deeper than running one (3 KiB a device).
                    agent = try await Task { () async throws(AgentStartError) -> KingletAgent in
                        try await KingletAgent.start(configuration: configuration)
                    }.value
                } catch {
                    log.error("cannot start: \(error)")
                    state.withLock { $0.startFailures += 1 }
                    return
                }
                let stopNow = state.withLock { state in
                    state.running[number] = agent
                    return state.stopping
                }
                if stopNow { await agent.stop("the simulation is stopping") }
                let status = await agent.run()
                let again = state.withLock { state in
                    state.running[number] = nil
                    guard status == ExitStatus.restart, !state.stopping else {
                        if status == ExitStatus.success || status == ExitStatus.restart {
                            state.ending.clean += 1
                        } else {
                            state.ending.failed += 1
                        }
                        return false
                    }
                    return true
                }
                guard again else { return }
            }
        }
    }
}
