import Agent
import Glibc
import Support
import Transport

/// `kinglet fleet simulate --config DEVICE.toml --count N`: N simulated devices in one process,
/// for load tests of a server and of the console. Prints the counts every 10 s and when all
/// are online; Ctrl-C (or SIGTERM) takes them all offline cleanly. `FleetCommand` hands it
/// the arguments.
enum SimulateCommand {
    static let name = "simulate"
    static let summary =
        "Run N devices in one process, each a full agent; {n} in the config's jid, resource and store path is the device's number. Ctrl-C takes them offline."
    static let usage = "kinglet fleet simulate --config DEVICE.toml --count N [--rate LOGINS_PER_SECOND]"
    static let valueOptions: Set<String> = ["--config", "--count", "--rate"]

    static let defaultRate = 50.0
    static let reportInterval = Duration.seconds(10)

    static func run(_ arguments: Arguments) async -> Int32 {
        let count: Int
        let rate: Double
        let path: String
        do throws(UsageError) {
            // The console's options parse too (one option set for `kinglet fleet`); none applies here.
            if let other = arguments.flags.first ?? arguments.values.keys.first(where: { !valueOptions.contains($0) }) {
                throw UsageError("\(other) is not an option of simulate")
            }
            guard arguments.positional == [name] else { throw UsageError("simulate takes no other words") }
            path = try arguments.required("--config")
            count = try number(arguments, "--count", Int.init, in: 1...100_000) ?? 0
            guard count > 0 else { throw UsageError("--count is required") }
            rate = try number(arguments, "--rate", Double.init, in: 0.01...10_000) ?? defaultRate
        } catch {
            printError("kinglet fleet simulate: \(error)\nusage: \(usage)")
            return ExitStatus.usage
        }
        let template: AgentConfiguration
        do {
            template = try AgentConfiguration.load(path: path)
        } catch {
            printError("\(error)")
            return ExitStatus.config
        }
        if let problem = template.fleetTemplateProblem(count: count) {
            printError(problem)
            return ExitStatus.config
        }
        Logger.configure(level: template.log.level, timestamps: template.log.timestamps)
        for warning in template.warnings { Logger("fleet").warning(warning) }
        if let problem = raiseDescriptorLimit(for: count) {
            printError("kinglet fleet simulate: \(problem)")
            return ExitStatus.failure
        }
        ConnectionMemory.mapLargeAllocationsSeparately()
        // The devices are not systemd services: a thousand agents must not each tell the
        // service manager they are the service, nor feed its watchdog.
        for name in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] { unsetenv(name) }
        return await simulate(template: template, count: count, rate: rate)
    }

    private static func simulate(template: AgentConfiguration, count: Int, rate: Double) async -> Int32 {
        let signals = SignalWatcher()
        let simulator = FleetSimulator(template: template, count: count, loginsPerSecond: rate)
        let first = (try? template.simulatedDevice(1).xmpp.jid.description) ?? "?"
        say("simulating \(count) device(s) from \(template.file), \(first) first, \(rate.formatted) logins/s")
        let begin = ContinuousClock.now
        let reporter = Task { await report(simulator, count: count, since: begin) }
        let stopper = Task {
            for await _ in signals.signals {
                say("stopping: taking \(count) device(s) offline")
                await simulator.stop()
                return
            }
        }
        let ending = await simulator.run()
        let stoppedAt = ContinuousClock.now
        reporter.cancel()
        stopper.cancel()
        say("stopped after \((stoppedAt - begin).secondsText): \(ending.clean) offline cleanly, \(ending.failed) failed")
        return ending.failed == 0 ? ExitStatus.success : ExitStatus.failure
    }

    /// The counts every `reportInterval`, and one line when every device is online for the
    /// first time (polled every 250 ms until then).
    private static func report(_ simulator: FleetSimulator, count: Int, since begin: ContinuousClock.Instant) async {
        var nextLine = begin + reportInterval
        var allOnline = false
        while !Task.isCancelled {
            let wake = allOnline ? nextLine : min(nextLine, .now + .milliseconds(250))
            try? await Task.sleep(until: wake, clock: .continuous)
            if Task.isCancelled { return }
            let counts = await simulator.counts()
            let now = ContinuousClock.now
            if !allOnline, counts.online == count {
                allOnline = true
                let elapsed = now - begin
                let perSecond = Double(count) / max(elapsed.seconds, 0.001)
                say("all \(count) online after \(elapsed.secondsText) (\(perSecond.formatted) logins/s)")
            }
            if now >= nextLine {
                say(line(counts, at: now - begin))
                nextLine += reportInterval
            }
        }
    }

    static func line(_ counts: FleetSimulator.Counts, at elapsed: Duration) -> String {
        var text = "\(elapsed.components.seconds)s: \(counts.online) online, \(counts.reconnecting) reconnecting, \(counts.failed) failed"
        if counts.waiting > 0 { text += ", \(counts.waiting) not started yet" }
        return text
    }

    /// Each device holds a socket, an eventfd and its database with `-wal` and `-shm`; the soft
    /// limit is raised to the hard one when it is lower than that needs.
    private static func raiseDescriptorLimit(for count: Int) -> String? {
        let needed = rlim_t(count * 6 + 64)
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        if limit.rlim_cur >= needed { return nil }
        guard limit.rlim_max >= needed else {
            return "\(count) devices need about \(needed) open files; the limit is \(limit.rlim_max) (raise it: ulimit -n, LimitNOFILE=)"
        }
        limit.rlim_cur = limit.rlim_max
        return setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 ? nil : "cannot raise the open-file limit: \(SystemError("setrlimit"))"
    }

    private static func number<T: Comparable>(
        _ arguments: Arguments, _ name: String, _ parse: (String) -> T?, in range: ClosedRange<T>
    ) throws(UsageError) -> T? {
        guard let text = arguments.value(name) else { return nil }
        guard let value = parse(text), range.contains(value) else {
            throw UsageError("\(name) must be a number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return value
    }

    /// One status line to stdout, unbuffered, so a pipe sees it at once.
    private static func say(_ text: String) {
        writeAll(fd: 1, Array((text + "\n").utf8))
    }
}

extension Duration {
    fileprivate var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

extension Double {
    /// `12.5`: one decimal, for rates in status lines.
    fileprivate var formatted: String {
        let tenths = Int((self * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
