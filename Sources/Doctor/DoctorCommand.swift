package import Agent
import Support

/// `kinglet doctor --config FILE`: everything that must hold before the agent can go live,
/// checked in the order it matters, one line each (✔, ⚠ or ✘ with how to fix it). Exit 0 when
/// nothing failed, 1 otherwise. `kinglet check` stays the offline, instant subset (the first line).
///
/// Cold code, in a module the agent does not link into its run path.
package enum DoctorCommand: CLICommand {
    package static let name = "doctor"
    package static let summary = "Check config, file modes, clock, DNS, TCP, TLS, login, server features, outbox and sensors."
    package static let usage = "kinglet doctor --config FILE [--verbose]"
    package static let valueOptions: Set<String> = ["--config"]
    package static let flagOptions: Set<String> = ["--verbose"]

    package static func run(_ arguments: Arguments) async -> Int32 {
        guard let path = arguments.value("--config") else {
            printError("kinglet doctor: --config FILE is required\nusage: \(usage)")
            return ExitStatus.usage
        }
        // The lines say what went wrong; the agent's own log only with --verbose.
        if arguments.has("--verbose") { Logger.configure(level: .debug) } else { Logger.silence() }
        var report = Report()
        let configuration: AgentConfiguration
        do {
            configuration = try AgentConfiguration.load(path: path)
        } catch {
            report.add(.failed("config", error.description, fix: "fix that line; `kinglet check --config \(path)` checks it alone"))
            return report.finish()
        }
        let profile = configuration.device.profile
        report.add(.ok(
            "config", "\(path): \(configuration.xmpp.jid), profile '\(profile.name)' (\(profile.file)), \(profile.countsText)"))
        for finding in LocalChecks.fileModes(configuration) { report.add(finding) }
        report.add(ClockCheck.run())
        let (dns, endpoints) = await NetworkChecks.dns(configuration.xmpp)
        report.add(dns)
        for finding in await NetworkChecks.tcp(endpoints, timeout: configuration.xmpp.connectTimeout) { report.add(finding) }
        for finding in await LoginCheck(configuration: configuration).run() { report.add(finding) }
        report.add(LocalChecks.outbox(configuration.store))
        for finding in await LocalChecks.sensors(configuration) { report.add(finding) }
        return report.finish()
    }

    /// Prints findings as they come (the network ones take a moment) and counts them.
    struct Report {
        private(set) var findings: [Finding] = []
        /// Where the lines go: stdout.
        var output: (String) -> Void = { print($0) }

        mutating func add(_ finding: Finding) {
            findings.append(finding)
            output(finding.line)
        }

        /// The last line, and the exit status.
        func finish() -> Int32 {
            let failed = findings.count { $0.mark == .failed }
            let warned = findings.count { $0.mark == .warning }
            if failed > 0 {
                output("\(failed.counted("check")) failed" + (warned > 0 ? ", \(warned.counted("warning"))" : ""))
                return ExitStatus.failure
            }
            output("all \(findings.count) checks hold" + (warned > 0 ? " (\(warned.counted("warning")))" : ""))
            return ExitStatus.success
        }
    }
}
