import Devices
import Glibc
import Support

/// `kinglet read --profile PROFILE [--once | --watch] [NAME...]`: reads every sensor of a profile
/// once and prints a table, with no server and no config. `--once` is the default; `--watch`
/// refreshes at the profile's shortest interval until Ctrl-C, then exits 0. Names limit the
/// table to those sensors and controls, and then the exit status says whether all of them
/// could be read (1 if one failed), for scripts: `kinglet read --profile p door --once`.
enum ReadCommand: CLICommand {
    static let name = "read"
    static let summary = "Print the device's current readings, no server needed."
    static let usage = "kinglet read --profile PROFILE [--once | --watch] [NAME...]"
    static let valueOptions: Set<String> = ["--profile"]
    static let flagOptions: Set<String> = ["--once", "--watch"]

    static func run(_ arguments: Arguments) async -> Int32 {
        guard let reference = arguments.value("--profile") else {
            printError("kinglet read: --profile PROFILE is required\nusage: \(usage)")
            return ExitStatus.usage
        }
        let profile: DeviceProfile
        do {
            profile = try DeviceProfile.load(reference: reference)
        } catch {
            printError(error.description)
            return ExitStatus.config
        }
        // The table shows every failing source; the same news as log lines would only repeat it.
        Logger.configure(level: .error)
        let names = arguments.positional
        let known = Set(profile.sensors.map(\.name) + profile.controls.map(\.name))
        if let unknown = names.first(where: { !known.contains($0) }) {
            printError("kinglet read: no sensor or control named '\(unknown)' in profile '\(profile.name)'")
            return ExitStatus.failure
        }
        let device = Device(profile: profile)
        let selection = names.isEmpty ? nil : Set(names)
        guard arguments.has("--watch") else {
            await device.refresh()
            let readings = await device.currentReadings(names: selection)
            print(ReadingTable.render(readings), terminator: "")
            let failed = selection != nil && readings.contains { $0.qos.contains(.error) }
            return failed ? ExitStatus.failure : ExitStatus.success
        }
        guard !arguments.has("--once") else {
            printError("kinglet read: --once and --watch exclude each other\nusage: \(usage)")
            return ExitStatus.usage
        }
        return await watch(device, every: refreshInterval(profile), names: selection)
    }

    /// Reads every sensor now and renders the table.
    static func snapshot(_ device: Device, names: Set<String>? = nil) async -> String {
        await device.refresh()
        return ReadingTable.render(await device.currentReadings(names: names))
    }

    /// The shortest periodic interval in the profile, at least one second; 5 s if none.
    static func refreshInterval(_ profile: DeviceProfile) -> Duration {
        let shortest = profile.sensors.compactMap(\.interval).min() ?? .seconds(5)
        return max(shortest, .seconds(1))
    }

    private static func watch(_ device: Device, every interval: Duration, names: Set<String>?) async -> Int32 {
        guard let interrupt = Interrupt.install() else {
            printError("kinglet read: cannot install the Ctrl-C handler")
            return ExitStatus.failure
        }
        let terminal = isatty(1) == 1
        repeat {
            let table = await snapshot(device, names: names)
            let heading = "kinglet read \(device.profile.name) at \(Timestamp.now().xsDateTime) (Ctrl-C to stop)\n"
            // On a terminal, redraw in place; into a pipe, append one table after another.
            print((terminal ? "\u{1B}[H\u{1B}[2J" : "\n") + heading + table, terminator: "")
        } while await !interrupt.wait(interval)
        print("")
        return ExitStatus.success
    }
}
