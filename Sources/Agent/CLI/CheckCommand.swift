import Devices
import Support

/// `kinglet check`: validates a device profile (and, once the agent config lands, a config and
/// the profile it names). Prints `FILE:LINE: message` for the first problem and exits 78
/// (EX_CONFIG), or prints a one-line summary and exits 0.
enum CheckCommand: CLICommand {
    static let name = "check"
    static let summary = "Validate a config (and the profile it names) or a device profile."
    static let usage = "kinglet check --config FILE | --profile FILE"
    static let valueOptions: Set<String> = ["--profile"]
    static let flagOptions: Set<String> = []

    static func run(_ arguments: Arguments) async -> Int32 {
        if let profile = arguments.value("--profile") {
            return checkProfile(profile)
        }
        printError("kinglet check: --profile FILE is required\nusage: \(usage)")
        return ExitStatus.usage
    }

    /// Loads the profile (a path or a bare name from `Devices/`) and reports.
    static func checkProfile(_ reference: String) -> Int32 {
        do {
            let profile = try DeviceProfile.load(reference: reference)
            print("OK: \(profile.file): profile '\(profile.name)', \(profile.sensors.count) sensors, \(profile.controls.count) controls")
            return ExitStatus.success
        } catch {
            printError(error.description)
            return ExitStatus.config
        }
    }
}
