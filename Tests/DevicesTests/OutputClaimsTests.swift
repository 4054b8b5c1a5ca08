import Foundation
import Testing
import TestSupport

@testable import Devices

/// The claim files through which `kinglet set` learns what a running agent drives.
@Suite struct OutputClaimsTests {
    @Test func keysNameTheSameOutputWhateverTheProfileCallsIt() throws {
        let host = try FakeHost()
        try host.write("sys/devices/platform/leds/ACT/brightness", "0\n")
        try host.symlink("sys/class/leds/ACT", to: host.root + "/sys/devices/platform/leds/ACT")
        let viaClass = OutputClaims.key(.sysfs(SysfsTarget(path: "/sys/class/leds/ACT/brightness")), paths: host.paths)
        let viaDevice = OutputClaims.key(.sysfs(SysfsTarget(path: "/sys/devices/platform/leds/ACT/brightness")), paths: host.paths)
        #expect(viaClass == viaDevice)
        #expect(viaClass?.hasPrefix("sysfs /") == true)
        #expect(OutputClaims.key(.simulated, paths: host.paths) == nil)
        let command = CommandTarget(command: CommandSpec(argv: ["/usr/local/bin/heating", "set", "{value}"]))
        #expect(OutputClaims.key(.command(command), paths: host.paths) == "command /usr/local/bin/heating set {value}")
        // No chip to open: the line as written.
        #expect(OutputClaims.key(.gpio(GPIOTarget(chip: "kinglet-sim", line: "relay")), paths: host.paths) == "gpio kinglet-sim 'relay'")
    }

    @Test func aClaimIsSeenByOthersWhileItsProcessHoldsItAndRemovedAfter() async throws {
        let host = try FakeHost()
        let directory = host.root + "/run"
        // Our own claim is never reported to ourselves, and goes away with its file value.
        var own: OutputClaimFile? = try OutputClaims.claim(
            OutputClaim(command: "kinglet set relay on", unit: nil, outputs: ["sysfs /x"]), in: directory)
        #expect(OutputClaims.holders(in: directory).isEmpty)
        #expect(FileManager.default.fileExists(atPath: own!.path))
        own = nil
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)

        // Another process's claim: flock(1) holds the file as a running agent would.
        let claim = OutputClaim(pid: 4_000_000, command: "kinglet run --config /etc/kinglet/kinglet.toml", unit: "kinglet.service",
                                outputs: ["gpio /dev/gpiochip0 17", "sysfs /sys/class/leds/ACT/brightness"])
        let path = directory + "/outputs-4000000.claim"
        try claim.text.write(toFile: path, atomically: false, encoding: .utf8)
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = ["--no-fork", path, "sleep", "60"]
        try holder.run()
        // SIGKILL: a process started by Foundation may have SIGTERM blocked.
        defer { if holder.isRunning { kill(holder.processIdentifier, SIGKILL) } }
        // Wait until flock(1) has the lock, without guessing a time.
        #expect(await eventually { Self.isLocked(path) })
        let held = OutputClaims.holders(in: directory)
        #expect(held == [claim])
        #expect(held.first?.stopHint == "systemctl stop kinglet.service")
        kill(holder.processIdentifier, SIGKILL)
        holder.waitUntilExit()
        #expect(OutputClaims.holders(in: directory).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(OutputClaim(pid: 12, command: "c", unit: nil, outputs: []).stopHint == "kill 12")
    }

    private static func isLocked(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        return fd >= 0 && flock(fd, LOCK_SH | LOCK_NB) != 0
    }
}
