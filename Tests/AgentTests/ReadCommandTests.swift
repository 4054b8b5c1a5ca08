import Devices
import Foundation
import Testing

@testable import Agent

/// `kinglet read` and `kinglet check --profile` on their real code paths.
@Suite struct ReadCommandTests {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The table `kinglet read --profile Devices/linux-host.toml` prints, from this machine's /proc.
    @Test func readLinuxHostOnThisMachine() async throws {
        let profile = try DeviceProfile.load(reference: Self.root + "/Devices/linux-host.toml")
        let table = await ReadCommand.snapshot(Device(profile: profile))
        let rows = table.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        #expect(rows.first == ["NAME", "VALUE", "UNIT", "TYPE", "NOTE"])
        func number(_ name: String) -> Double? { rows.first { $0.first == name }.flatMap { Double($0[1]) } }
        let load = try #require(number("load_1m"))
        #expect(load >= 0 && load < 1000)
        let memory = try #require(number("memory_used"))
        #expect(memory > 0 && memory < 100)
        let disk = try #require(number("rootfs_used"))
        #expect(disk > 0 && disk <= 100)
        #expect(try #require(number("memory_available")) > 0)
        #expect(!table.contains("error:"))
        #expect(ReadCommand.refreshInterval(profile) == .seconds(30))
    }

    @Test func checkExitStatuses() throws {
        #expect(CheckCommand.checkProfile(Self.root + "/Devices/simulated.toml") == ExitStatus.success)
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-bad-\(UUID().uuidString).toml").path
        try "[[sensor]]\nname = \"x\"\nsource = \"thermall\"\n".write(toFile: bad, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: bad) }
        #expect(CheckCommand.checkProfile(bad) == ExitStatus.config)
        #expect(CheckCommand.checkProfile("no-such-profile-name") == ExitStatus.config)
    }

    @Test func usageErrors() async throws {
        #expect(await ReadCommand.run(try Arguments([], valueOptions: ReadCommand.valueOptions, flagOptions: ReadCommand.flagOptions)) == ExitStatus.usage)
        #expect(await CheckCommand.run(try Arguments([], valueOptions: CheckCommand.valueOptions, flagOptions: CheckCommand.flagOptions)) == ExitStatus.usage)
        #expect(await ReadCommand.run(try Arguments(["--profile", "/nonexistent.toml"], valueOptions: ReadCommand.valueOptions, flagOptions: ReadCommand.flagOptions)) == ExitStatus.config)
    }
}
