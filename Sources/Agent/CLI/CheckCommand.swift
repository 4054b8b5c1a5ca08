import Devices
import Support

/// `kinglet check`: validates a config and the profile it names, or a device profile alone.
/// Prints `FILE:LINE: message` for the first problem and exits 78 (EX_CONFIG), or prints a
/// one-line summary and exits 0.
enum CheckCommand: CLICommand {
    static let name = "check"
    static let summary = "Validate a config (and the profile it names) or a device profile."
    static let usage = "kinglet check --config FILE | --profile FILE"
    static let valueOptions: Set<String> = ["--config", "--profile"]
    static let flagOptions: Set<String> = []

    static func run(_ arguments: Arguments) async -> Int32 {
        if let config = arguments.value("--config") {
            return checkConfig(config)
        }
        if let profile = arguments.value("--profile") {
            return checkProfile(profile)
        }
        printError("kinglet check: --config FILE or --profile FILE is required\nusage: \(usage)")
        return ExitStatus.usage
    }

    /// Loads the config, and with it the device profile it names, and reports.
    static func checkConfig(_ path: String) -> Int32 {
        do {
            let configuration = try AgentConfiguration.load(path: path)
            for warning in configuration.warnings { printError("warning: \(warning)") }
            let profile = configuration.device.profile
            print("OK: \(path): \(configuration.xmpp.jid), profile '\(profile.name)' (\(profile.countsText)), outbox \(configuration.store.path)")
            return ExitStatus.success
        } catch {
            printError(error.description)
            return ExitStatus.config
        }
    }

    /// Loads the profile (a path or a bare name from `Devices/`) and reports.
    static func checkProfile(_ reference: String) -> Int32 {
        do {
            let profile = try DeviceProfile.load(reference: reference)
            print("OK: \(profile.file): profile '\(profile.name)', \(profile.countsText)")
            return ExitStatus.success
        } catch {
            printError(error.description)
            return ExitStatus.config
        }
    }
}
