import Support
import Synchronization

/// The agent's side of systemd's `Type=notify` (sd_notify(3)): `READY=1` once the device samples
/// and the outbox is open (the network may come later), `STATUS=` kept current, `WATCHDOG=1`
/// while `WatchdogProgress` finds every part moving, and `STOPPING=1` on the way out. Made only
/// when systemd asked for notifications: otherwise the agent runs none of this.
final class ServiceManager: Sendable {
    private let notifier: SystemdNotifier
    private let watchdogPingInterval: Duration?
    private let clock: any AgentClock
    /// What the status line says now; called on session events and every `statusInterval`.
    private let status: @Sendable () async -> String
    private let state = Mutex(State())
    /// Asks the status loop to look now; holds one request at most, so requests coalesce.
    private let nudges: AsyncStream<Void>.Continuation
    private let nudged: AsyncStream<Void>
    private let log = Logger("systemd")

    private struct State {
        var lastStatus: String?
        var tasks: [Task<Void, Never>] = []
    }

    /// nil when the agent was not started as a notify service.
    static func fromEnvironment(
        _ environment: SystemdEnvironment = .current(), clock: any AgentClock = SystemClock(),
        status: @escaping @Sendable () async -> String
    ) -> ServiceManager? {
        guard let socket = environment.notifySocket else { return nil }
        do {
            return ServiceManager(
                notifier: try SystemdNotifier(socket: socket), watchdogPingInterval: environment.watchdogPingInterval,
                clock: clock, status: status)
        } catch {
            Logger("systemd").warning("cannot notify systemd: \(error)")
            return nil
        }
    }

    init(
        notifier: SystemdNotifier, watchdogPingInterval: Duration?, clock: any AgentClock,
        status: @escaping @Sendable () async -> String
    ) {
        self.notifier = notifier
        self.watchdogPingInterval = watchdogPingInterval
        self.clock = clock
        self.status = status
        (nudged, nudges) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// The device samples and the outbox is open: the service is up. Starts the watchdog over
    /// `meters` and a status refresh every `statusInterval`.
    func ready(meters: [WatchdogProgress.Part: ProgressMeter], statusInterval: Duration) async {
        let text = await status()
        state.withLock { $0.lastStatus = text }
        notifier.send("READY=1\nSTATUS=\(text)")
        let tasks = [startWatchdog(meters)].compactMap { $0 } + startStatusRefresh(every: statusInterval)
        state.withLock { $0.tasks += tasks }
    }

    /// Has the status looked at soon, without waiting for it: composing it waits on the
    /// sampler and the outbox, and the caller (the agent's event loop) must not.
    func statusMayHaveChanged() {
        nudges.yield()
    }

    /// Sends the status line if it changed.
    func refreshStatus() async {
        let text = await status()
        let changed = state.withLock { state in
            defer { state.lastStatus = text }
            return state.lastStatus != text
        }
        if changed { notifier.send("STATUS=\(text)") }
    }

    /// The agent is going offline and will exit.
    func stopping() {
        for task in state.withLock({ $0.tasks }) { task.cancel() }
        nudges.finish()
        notifier.send("STOPPING=1\nSTATUS=stopping")
    }

    /// Refreshes the status when nudged and every `interval`: one task, so a slow look (a
    /// stuck sampler) delays the next instead of piling up.
    private func startStatusRefresh(every interval: Duration) -> [Task<Void, Never>] {
        let timer = Task { [clock, nudges] in
            var next = clock.now()
            while !Task.isCancelled {
                next += interval
                do { try await clock.sleep(until: next) } catch { return }
                nudges.yield()
            }
        }
        let refresher = Task { [nudged] in
            for await _ in nudged { await refreshStatus() }
        }
        return [timer, refresher]
    }

    /// Pings at half of `WatchdogSec=` while no part is stuck; says once in the log which part
    /// stopped the pings, and when they resume. Reads only the meters' atomics, never waits on
    /// the parts themselves, so a stuck part cannot hold the watchdog's verdict up.
    private func startWatchdog(_ meters: [WatchdogProgress.Part: ProgressMeter]) -> Task<Void, Never>? {
        guard let interval = watchdogPingInterval else { return nil }
        log.info("watchdog: telling systemd every \(interval.secondsText) while the \(meters.keys.sorted().map(\.rawValue).joined(separator: ", ")) make progress")
        return Task { [clock, notifier, log] in
            var progress = WatchdogProgress(limit: interval)
            var reported: [WatchdogProgress.Part] = []
            var next = clock.now()
            while !Task.isCancelled {
                let stalls = progress.check(meters.mapValues(\.reading), at: clock.now())
                if stalls.isEmpty {
                    notifier.send("WATCHDOG=1")
                    if !reported.isEmpty { log.info("watchdog: every part makes progress again") }
                } else if stalls.map(\.part) != reported {
                    let parts = stalls.map { "the \($0.part.rawValue) has finished nothing for \($0.stuckFor.secondsText)" }
                    log.error("watchdog: \(parts.joined(separator: ", ")); no longer telling systemd the agent is alive")
                }
                reported = stalls.map(\.part)
                next += interval
                do { try await clock.sleep(until: next) } catch { return }
            }
        }
    }
}
