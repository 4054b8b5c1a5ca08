import Devices
import Glibc
import Support
import Synchronization

/// `kinglet read --profile PROFILE [--watch]`: reads every sensor of a profile once and prints a
/// table, with no server and no config. `--watch` refreshes at the profile's shortest interval
/// until Ctrl-C, then exits 0.
enum ReadCommand: CLICommand {
    static let name = "read"
    static let summary = "Print the device's current readings, no server needed."
    static let usage = "kinglet read --profile PROFILE [--watch]"
    static let valueOptions: Set<String> = ["--profile"]
    static let flagOptions: Set<String> = ["--watch"]

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
        let device = Device(profile: profile)
        guard arguments.has("--watch") else {
            print(await snapshot(device), terminator: "")
            return ExitStatus.success
        }
        return await watch(device, every: refreshInterval(profile))
    }

    /// Reads every sensor now and renders the table.
    static func snapshot(_ device: Device) async -> String {
        await device.refresh()
        return ReadingTable.render(await device.currentReadings())
    }

    /// The shortest periodic interval in the profile, at least one second; 5 s if none.
    static func refreshInterval(_ profile: DeviceProfile) -> Duration {
        let shortest = profile.sensors.compactMap(\.interval).min() ?? .seconds(5)
        return max(shortest, .seconds(1))
    }

    private static func watch(_ device: Device, every interval: Duration) async -> Int32 {
        guard let interrupt = Interrupt.install() else {
            printError("kinglet read: cannot install the Ctrl-C handler")
            return ExitStatus.failure
        }
        let terminal = isatty(1) == 1
        repeat {
            let table = await snapshot(device)
            let heading = "kinglet read \(device.profile.name) at \(Timestamp.now().xsDateTime) (Ctrl-C to stop)\n"
            // On a terminal, redraw in place; into a pipe, append one table after another.
            print((terminal ? "\u{1B}[H\u{1B}[2J" : "\n") + heading + table, terminator: "")
        } while await !interrupt.wait(interval)
        print("")
        return ExitStatus.success
    }
}

/// Ctrl-C (SIGINT) and SIGTERM as an event that can be waited for with a time-out. The handler
/// only writes a byte to a pipe (async-signal-safe); the waiting happens in `poll` on an offload
/// thread, so the cooperative pool is never blocked.
private struct Interrupt: Sendable {
    let readFD: Int32
    /// The pipe's write end, for the handler, which cannot capture context.
    private static let writeFD = Atomic<Int32>(-1)

    static func install() -> Interrupt? {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return nil }
        _ = fcntl(fds[1], F_SETFL, O_NONBLOCK)
        writeFD.store(fds[1], ordering: .relaxed)
        let handler: @convention(c) (Int32) -> Void = { _ in
            var byte: UInt8 = 1
            _ = Glibc.write(Interrupt.writeFD.load(ordering: .relaxed), &byte, 1)
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        return Interrupt(readFD: fds[0])
    }

    /// Waits up to `timeout`; true when a signal came.
    func wait(_ timeout: Duration) async -> Bool {
        let fd = readFD
        let milliseconds = Int32(clamping: timeout.milliseconds)
        return await OffloadThread.run {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            return poll(&p, 1, milliseconds) > 0
        }
    }
}
