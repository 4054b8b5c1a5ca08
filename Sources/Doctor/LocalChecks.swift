import Agent
import Devices
import Readings
import Store
import Support

/// What the doctor checks on the board itself: the files' modes, the outbox, every sensor.
enum LocalChecks {
    /// One line for all the files when they are fine, else one per problem.
    static func fileModes(_ configuration: AgentConfiguration) -> [Finding] {
        let files = configuration.xmpp.trustedFiles
        let problems = files.flatMap { FileModes.problems($0.path, role: $0.role) }
        guard !problems.isEmpty else {
            return [.ok("file modes", files.map(\.path).joined(separator: ", ") + ": nobody else can read the secrets or change them")]
        }
        return problems.map { problem in
            problem.severity == .error
                ? .failed("file modes", problem.message, fix: problem.fix) : .warning("file modes", problem.message, fix: problem.fix)
        }
    }

    /// Integrity, pending readings and size of the outbox, read-only (also while the agent runs).
    static func outbox(_ store: StoreConfiguration) -> Finding {
        let path = store.path
        guard FileIO.exists(path) else {
            let folder = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
            if FileIO.exists(folder) || path == StoreConfiguration.defaultPath {
                return .ok("outbox", "\(path) does not exist yet; the agent creates it")
            }
            return .failed("outbox", "the folder \(folder) of \(path) does not exist", fix: "create it, writable only by the agent's user (mode 700)")
        }
        do throws(StoreError) {
            let reader = try StoreReader(path: path)
            try reader.checkIntegrity()
            let stats = try reader.stats()
            return .ok(
                "outbox", "\(path): integrity ok, \(stats.pendingReadings.counted("reading")) pending, "
                    + "\(stats.historyReadings) in history, \(stats.fileBytes / 1024) KiB")
        } catch {
            return .failed("outbox", "\(error)", fix: "the agent moves a corrupt file aside and starts a fresh one; see `kinglet buffer`")
        }
    }

    /// Every sensor read once (controls are only looked at, never written).
    static func sensors(_ configuration: AgentConfiguration) async -> [Finding] {
        let settings = configuration.device
        let device = Device(profile: settings.profile, environment: DeviceEnvironment(seed: settings.seed))
        await device.refresh()
        let readings = await device.currentReadings().filter { !$0.writable }
        return readings.map { reading in
            let check = (reading.fieldType == .identity ? "identity " : "sensor ") + reading.name
            guard let value = reading.value, !reading.isError else {
                return .failed(
                    check, reading.errorText ?? "no value",
                    fix: "check its source in the profile \(settings.profile.file)")
            }
            return .ok(check, value.text + (reading.unit.isEmpty ? "" : " \(reading.unit)"))
        }
    }
}
