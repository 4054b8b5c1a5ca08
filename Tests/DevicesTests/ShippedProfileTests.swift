import Foundation
import Support
import Testing

@testable import Devices
import Readings

/// The shipped profiles run through the real device: linux-host on this machine's real /proc
/// and filesystem, raspberry-pi against a fake Pi tree, the simulator under its seed.
@Suite struct ShippedProfileTests {
    private func value(_ readings: [Reading], _ name: String) -> Double? {
        readings.first { $0.name == name }?.value?.number
    }

    @Test func linuxHostOnThisMachine() async throws {
        let profile = try DeviceProfile.load(path: repositoryRoot + "/Devices/linux-host.toml")
        let device = Device(profile: profile)
        await device.refresh()
        let readings = await device.currentReadings()

        let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
        for name in ["load_1m", "load_5m", "load_15m"] {
            let load = try #require(value(readings, name), "\(name) missing")
            #expect(load >= 0 && load < cores * 50, "\(name) = \(load)")
        }
        let totalMiB = Double(ProcessInfo.processInfo.physicalMemory) / 1_048_576
        let memoryTotal = try #require(value(readings, "memory_total"))
        #expect(abs(memoryTotal - totalMiB) / totalMiB < 0.05, "memory_total \(memoryTotal) vs \(totalMiB)")
        let available = try #require(value(readings, "memory_available"))
        #expect(available > 0 && available <= memoryTotal)
        let used = try #require(value(readings, "memory_used"))
        #expect(used > 0 && used < 100)

        let rootUsed = try #require(value(readings, "rootfs_used"))
        #expect(rootUsed > 0 && rootUsed <= 100)
        let attributes = try FileManager.default.attributesOfFileSystem(forPath: "/")
        let freeGiB = (attributes[.systemFreeSize] as! NSNumber).doubleValue / 1_073_741_824
        let rootAvailable = try #require(value(readings, "rootfs_available"))
        // Both are the filesystem's free space (Foundation counts blocks free to users too);
        // other engineers' builds may fill or free some between the two reads.
        #expect(abs(rootAvailable - freeGiB) < max(2, freeGiB * 0.05), "rootfs_available \(rootAvailable) vs \(freeGiB)")

        #expect(try #require(value(readings, "processes")) > 1)
        if case .duration(let uptime) = readings.first(where: { $0.name == "uptime" })?.value {
            #expect(uptime.hasPrefix("P"))
        } else {
            Issue.record("uptime is not a duration")
        }
        #expect(readings.first { $0.name == "hostname" }?.value == .string(ProcessInfo.processInfo.hostName))
        // No error anywhere: an absent thermal zone is left out, not reported.
        #expect(readings.filter(\.isError).map(\.name) == [])
        #expect(await device.health().isHealthy)
    }

    @Test func raspberryPiAgainstAFakePi() async throws {
        let host = try FakeHost()
        try host.write("sys/firmware/devicetree/base/serial-number", "10000000c0ffee42\0")
        try host.write("sys/firmware/devicetree/base/model", "Raspberry Pi 4 Model B Rev 1.4\0")
        try host.write("sys/class/thermal/thermal_zone0/type", "cpu-thermal\n")
        try host.write("sys/class/thermal/thermal_zone0/temp", "52089\n")
        try host.write("sys/devices/platform/soc/soc:firmware/get_throttled", "50005\n")
        try host.write("sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq", "1500000\n")
        try host.write("proc/loadavg", "0.10 0.20 0.30 1/100 200\n")
        try host.write("proc/meminfo", "MemTotal: 4000000 kB\nMemAvailable: 3000000 kB\n")
        try host.write("sys/class/leds/ACT/brightness", "0\n")
        try host.write("sys/class/leds/ACT/trigger", "[mmc0] none\n")

        let profile = try DeviceProfile.load(path: repositoryRoot + "/Devices/raspberry-pi.toml")
        let device = Device(profile: profile, environment: DeviceEnvironment(clock: ManualClock(), paths: host.paths))
        await device.refresh()
        let readings = await device.currentReadings()
        #expect(readings.first { $0.name == "serial_number" }?.value == .string("10000000c0ffee42"))
        #expect(readings.first { $0.name == "model" }?.value == .string("Raspberry Pi 4 Model B Rev 1.4"))
        #expect(readings.first { $0.name == "soc_temperature" }?.value == .numeric(52.1, decimals: 1))
        #expect(readings.first { $0.name == "throttled" }?.value == .int(0x50005))
        #expect(readings.first { $0.name == "cpu_frequency" }?.value == .numeric(1500, decimals: 0))
        #expect(readings.first { $0.name == "memory_used" }?.value == .numeric(25, decimals: 1))

        // Reading is read-only: the LED is read back, its trigger left alone, the GPIO lines
        // not requested (that would drive them).
        #expect(try host.read("sys/class/leds/ACT/trigger") == "[mmc0] none\n")
        #expect(readings.first { $0.name == "act_led" }?.value == .boolean(false))
        let relay = try #require(readings.first { $0.name == "relay_1" })
        #expect(relay.value == nil && relay.qos == [.missing, .inProgress] && relay.writable)
        #expect(relay.errorText == "not read: gpio targets are read only while the agent holds them")
        #expect(await device.health().isHealthy)

        // A set prepares the targets: trigger none, then the value. No GPIO chip in a temp dir.
        #expect(try await device.apply("act_led", .boolean(true)) == .boolean(true))
        #expect(try host.read("sys/class/leds/ACT/trigger") == "none")
        #expect(try host.read("sys/class/leds/ACT/brightness") == "1")
        let failed = try #require(await device.currentReadings(names: ["relay_1"]).first)
        #expect(failed.qos == .error && failed.errorText?.contains("/dev/gpiochip0") == true)
        #expect(await device.health().problems.map(\.name) == ["relay_1", "relay_2"])
    }

    @Test func simulatedIsDeterministicUnderItsSeedAtTwentyHertz() async throws {
        let profile = try DeviceProfile.load(path: repositoryRoot + "/Devices/simulated.toml").overridingInterval(.milliseconds(50))
        func run() async -> [[Reading]] {
            let clock = ManualClock()
            let device = Device(profile: profile, environment: DeviceEnvironment(clock: clock))
            var out: [[Reading]] = []
            for _ in 0..<40 {
                await device.tick()
                out.append(await device.currentReadings(types: [.momentary]))
                clock.advance(by: .milliseconds(50))
            }
            return out
        }
        let first = await run()
        let second = await run()
        #expect(first == second)
        #expect(Set(first.map { $0.first { $0.name == "temperature" }?.value }).count > 30)
        // Controls keep their state: a readout after a set shows the new value.
        let device = Device(profile: profile, environment: DeviceEnvironment(clock: ManualClock()))
        #expect(try await device.apply("dimmer", .int(40)) == .int(40))
        #expect(try await device.apply("mode", .string("manual")) == .enumeration("manual"))
        #expect(try await device.apply("relay", .boolean(true)) == .boolean(true))
        let controls = await device.currentReadings(names: ["dimmer", "mode", "relay", "status_led"])
        #expect(controls.map(\.value) == [.boolean(true), .int(40), .boolean(true), .enumeration("manual", dataType: "mode")])
        #expect(controls.allSatisfy { $0.writable })
    }
}
