import Readings
package import Agent
import Store
import Support
import XEPs
import XMPPCore

/// `kinglet fleet list|watch|read|set|export --config FILE`: the fleet console, logged in as an
/// operator or a service (a config with `[xmpp]` and optionally `[fleet] room`). Cold code for
/// a device: the agent never runs it, and it lives in its own module so that the running
/// agent's pages stay apart from it.
package enum FleetCommand: CLICommand {
    package static let name = "fleet"
    package static let summary = "The fleet console: list, watch, read, set and export devices found by presence."
    package static let usage =
        "kinglet fleet list|watch|read|set|export --config FILE [--json] [--all] [--field NAMES] [--format jsonl|csv] [--wait DURATION] [JID...] [NAME=VALUE...]\n"
        + "  \(SimulateCommand.usage)"
    package static let valueOptions = Set(["--config", "--field", "--format", "--wait"]).union(SimulateCommand.valueOptions)
    package static let flagOptions: Set<String> = ["--json", "--all"]

    enum Action: String {
        case list, watch, read, set, export
    }

    package static func run(_ arguments: Arguments) async -> Int32 {
        if arguments.positional.first == SimulateCommand.name { return await SimulateCommand.run(arguments) }
        guard let word = arguments.positional.first, let action = Action(rawValue: word) else {
            printError("kinglet fleet: say list, watch, read, set, export or simulate\nusage: \(usage)")
            return ExitStatus.usage
        }
        let configuration: ConsoleConfiguration
        let wait: Duration
        do {
            configuration = try ConsoleConfiguration.load(path: try arguments.required("--config"))
            wait = try waitOption(arguments)
        } catch let error as UsageError {
            printError("kinglet fleet: \(error)\nusage: \(usage)")
            return ExitStatus.usage
        } catch {
            printError("\(error)")
            return ExitStatus.config
        }
        Logger.configure(level: configuration.logLevel, timestamps: configuration.log.timestamps)
        for warning in configuration.warnings { printError("warning: \(warning)") }
        let console: FleetConsole
        do {
            console = try FleetConsole(configuration: configuration, notify: action == .watch || action == .export)
        } catch {
            printError("kinglet fleet: \(error)")
            return ExitStatus.config
        }
        let rest = Array(arguments.positional.dropFirst())
        switch action {
        case .list: return await list(console, wait: wait, json: arguments.has("--json"))
        case .read: return await read(console, rest, arguments, wait: wait)
        case .set: return await set(console, rest, arguments, wait: wait)
        case .watch: return await LiveConsole.watch(console, wait: wait)
        case .export: return await LiveConsole.export(console, wait: wait, format: arguments.value("--format"))
        }
    }

    private static func waitOption(_ arguments: Arguments) throws(UsageError) -> Duration {
        guard let text = arguments.value("--wait") else { return .seconds(10) }
        guard let seconds = Double(text.hasSuffix("s") ? String(text.dropLast()) : text), seconds > 0, seconds < 86_400 else {
            throw UsageError("--wait takes seconds, e.g. 10 or 2.5s, not '\(text)'")
        }
        return .milliseconds(Int64(seconds * 1000))
    }

    /// Logs in and waits for the devices to show; nil (and the message printed) when the
    /// login did not succeed in time.
    static func online(_ console: FleetConsole, wait: Duration) async -> [DeviceRecord]? {
        await console.start()
        let login = max(wait, console.configuration.xmpp.connectTimeout * 2)
        guard await console.waitOnline(timeout: login) else {
            printError("kinglet fleet: could not log in as \(console.configuration.xmpp.jid) within \(login) (see the log above)")
            await console.stop()
            return nil
        }
        return await console.discover(timeout: wait)
    }

    static func list(_ console: FleetConsole, wait: Duration, json: Bool) async -> Int32 {
        guard let devices = await online(console, wait: wait) else { return ExitStatus.failure }
        print(json ? ConsoleOutput.devicesJSON(devices) : ConsoleOutput.deviceTable(devices), terminator: "")
        await console.stop()
        return ExitStatus.success
    }

    /// The devices named on the command line (a bare JID: each of its online devices), or
    /// every online device with `--all`. Names that are no JID are a usage error.
    static func targets(_ words: [String], all: Bool, devices: [DeviceRecord]) throws(UsageError) -> [(JID, DeviceOutcome?)] {
        guard all != !words.isEmpty else { throw UsageError("name the devices (JIDs) or say --all, not both") }
        if all { return devices.map { ($0.jid, $0.online ? nil : .unreachable("offline since \($0.lastChange.xsDateTime)")) } }
        var list: [(JID, DeviceOutcome?)] = []
        for word in words {
            guard let jid = try? JID(word), jid.local != nil else { throw UsageError("'\(word)' is not a device's JID (user@domain[/resource])") }
            if jid.resource != nil {
                list.append((jid, nil))
                continue
            }
            let online = devices.filter { $0.online && $0.jid.bare == jid }
            if online.isEmpty {
                list.append((jid, .unreachable("not online, or not a device the console can see")))
            }
            list += online.map { ($0.jid, nil) }
        }
        return list
    }

    static func read(_ console: FleetConsole, _ words: [String], _ arguments: Arguments, wait: Duration) async -> Int32 {
        let fields = arguments.value("--field").map { $0.split(separator: ",").map(String.init) } ?? []
        return await perform(console, words, arguments, wait: wait) { jids in
            let results = await boundedMap(jids, limit: console.configuration.fleet.concurrency) { target in
                if let outcome = target.1 { return ReadoutResult(jid: target.0, outcome: outcome) }
                let start = ContinuousClock.now
                var result = await console.readout(target.0, fields: fields)
                result.latency = .now - start
                return result
            }
            let json = arguments.has("--json")
            print(json ? ConsoleOutput.readoutJSON(results) : ConsoleOutput.readoutTable(results), terminator: "")
            return results.allSatisfy { $0.outcome == .ok }
        }
    }

    static func set(_ console: FleetConsole, _ words: [String], _ arguments: Arguments, wait: Duration) async -> Int32 {
        let assignments = words.filter { $0.contains("=") }
        let changes = assignments.map { word in
            let parts = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return ControlChange(String(parts[0]), ControlXML.guessValue(String(parts[1])))
        }
        guard !changes.isEmpty, changes.allSatisfy({ !$0.name.isEmpty }) else {
            printError("kinglet fleet set: give at least one NAME=VALUE\nusage: \(usage)")
            return ExitStatus.usage
        }
        return await perform(console, words.filter { !$0.contains("=") }, arguments, wait: wait) { jids in
            let results = await boundedMap(jids, limit: console.configuration.fleet.concurrency) { target in
                (target.0, target.1 == nil ? await console.set(target.0, changes) : target.1!)
            }
            print(arguments.has("--json") ? ConsoleOutput.setJSON(results) : ConsoleOutput.setTable(results), terminator: "")
            return results.allSatisfy { $0.1 == .ok }
        }
    }

    /// Logs in, resolves the targets and runs `work` on them; exit 0 when every device
    /// succeeded, 1 when any did not (each is listed), 64 for a bad target list.
    private static func perform(
        _ console: FleetConsole, _ words: [String], _ arguments: Arguments, wait: Duration,
        _ work: ([(JID, DeviceOutcome?)]) async -> Bool
    ) async -> Int32 {
        // Named full JIDs need no discovery; anything else waits for the fleet to show.
        let needsDiscovery = arguments.has("--all") || words.contains { (try? JID($0))?.resource == nil }
        let jids: [(JID, DeviceOutcome?)]
        do {
            jids = try targets(words, all: arguments.has("--all"), devices: [])
        } catch {
            printError("kinglet fleet: \(error)\nusage: \(usage)")
            return ExitStatus.usage
        }
        guard let devices = await online(console, wait: needsDiscovery ? wait : .milliseconds(1)) else { return ExitStatus.failure }
        let resolved = needsDiscovery ? ((try? targets(words, all: arguments.has("--all"), devices: devices)) ?? jids) : jids
        let ok = await work(resolved)
        await console.stop()
        return ok ? ExitStatus.success : ExitStatus.failure
    }
}

extension ConsoleConfiguration {
    /// `[log] level` when given; otherwise warnings only, so that stdout's tables stand alone.
    var logLevel: LogLevel { hasLogSection ? log.level : .warning }
}
