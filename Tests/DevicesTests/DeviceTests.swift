import Foundation
import Support
import Testing
import TestSupport

@testable import Devices
import Readings

/// The device driven by a manual clock: schedules, change filter, sequence numbers, slow
/// sources, failures, controls.
@Suite struct DeviceTests {
    static func steady(_ name: String, _ value: Double, interval: Duration? = .seconds(1), filter: ChangeFilter = ChangeFilter()) -> SensorDefinition {
        SensorDefinition(name: name, source: .simulated(SimulatedSignal(mean: value)), interval: interval, filter: filter)
    }

    static func noisy(_ name: String) -> SensorDefinition {
        SensorDefinition(name: name, source: .simulated(SimulatedSignal(mean: 20, noise: 1)), decimals: 3, interval: .seconds(1))
    }

    private func device(_ profile: DeviceProfile, clock: ManualClock, host: FakeHost? = nil, start: UInt64 = 0) -> Device {
        Device(profile: profile, environment: DeviceEnvironment(clock: clock, paths: host?.paths ?? .system), startSequence: start)
    }

    @Test func sequenceNumbersRiseFromTheStoredOneAcrossTicks() async throws {
        let clock = ManualClock()
        let profile = DeviceProfile(
            name: "t",
            sensors: [Self.noisy("a"), Self.noisy("b"), SensorDefinition(name: "serial", source: .constant("S1"), valueType: .string, interval: nil)],
            controls: [ControlDefinition(name: "relay", type: .boolean, target: .simulated, initial: .boolean(true))])
        let device = device(profile, clock: clock, start: 41)
        let collector = BatchCollector(device.batches)
        await device.start()
        #expect(await eventually { clock.sleeperCount == 1 })
        clock.advance(by: .seconds(1))
        let batches = await collector.wait(for: 2)
        #expect(batches.count == 2)
        #expect(batches[0].readings.map(\.name) == ["relay", "a", "b", "serial"])
        #expect(batches[0].readings.map(\.sequence) == [42, 43, 44, 45])
        #expect(batches[0].firstSequence == 42)
        // The identity field is read once; the periodic ones again.
        #expect(batches[1].readings.map(\.name) == ["a", "b"])
        #expect(batches[1].readings.map(\.sequence) == [46, 47])
        #expect(await device.lastSequence == 47)
        // Timestamps are the injected wall clock, one second apart.
        #expect(batches[1].readings[0].timestamp.millisecondsSinceEpoch - batches[0].readings[1].timestamp.millisecondsSinceEpoch == 1000)
        await device.stop()
    }

    @Test func changeFilterDecidesWhatIsPublished() async throws {
        let clock = ManualClock()
        let steady = Self.steady("steady", 5, filter: ChangeFilter(maxAge: .seconds(3)))
        let device = device(DeviceProfile(name: "t", sensors: [steady, Self.noisy("noisy")]), clock: clock)
        await device.tick()
        #expect(await device.lastSequence == 2)
        for expected: UInt64 in [3, 4, 6] {
            clock.advance(by: .seconds(1))
            await device.tick()
            // The steady one is kept again only when its last kept value is 3 s old.
            #expect(await device.lastSequence == expected)
        }
    }

    @Test func slowSourceDoesNotStallTheOthers() async throws {
        let host = try FakeHost()
        let fifo = host.root + "/gate"
        #expect(mkfifo(fifo, 0o600) == 0)
        // Blocks until the test opens the gate.
        let slow = SensorDefinition(
            name: "slow", source: .command(CommandSpec(argv: ["sh", "-c", "read line < \(fifo); echo 7"]), extraction: Extraction()),
            interval: .seconds(1))
        let clock = ManualClock()
        let device = device(DeviceProfile(name: "t", sensors: [slow, Self.noisy("fast")]), clock: clock, host: host)
        let collector = BatchCollector(device.batches)
        await device.tick()
        clock.advance(by: .seconds(1))
        await device.tick()
        clock.advance(by: .seconds(1))
        await device.tick()
        // Three ticks of the fast sensor went out while the slow read was still blocked.
        let early = await collector.wait(for: 3)
        #expect(early.map { $0.readings.map(\.name) } == [["fast"], ["fast"], ["fast"]])
        #expect(await device.health().overruns == 2)
        #expect(await device.currentReadings(names: ["slow"]).first?.qos == [.missing, .inProgress])

        let gate = open(fifo, O_WRONLY)
        _ = write(gate, "go\n", 3)
        close(gate)
        let all = await collector.wait(for: 4)
        #expect(all.count == 4)
        #expect(all.last?.readings.map(\.name) == ["slow"])
        #expect(all.last?.readings.first?.value == .numeric(7, decimals: nil))
        #expect(all.last?.readings.first?.sequence == 4)
    }

    @Test func aFailingSourceReportsAnErrorNeverAStaleValue() async throws {
        let host = try FakeHost()
        try host.write("value", "10\n")
        let file = SensorDefinition(name: "level", source: .file(path: host.root + "/value", extraction: Extraction()), interval: .seconds(1))
        let clock = ManualClock()
        let device = device(DeviceProfile(name: "t", sensors: [file]), clock: clock, host: host)
        // A file is read on a thread of its own: its reading arrives shortly after the tick.
        await device.tick()
        #expect(await eventually { await device.currentReadings().first?.value == .numeric(10, decimals: nil) })
        #expect(await device.health().isHealthy)

        try FileManager.default.removeItem(atPath: host.root + "/value")
        clock.advance(by: .seconds(1))
        await device.tick()
        #expect(await eventually { await device.currentReadings().first?.value == nil })
        let failed = try #require(await device.currentReadings().first)
        #expect(failed.value == nil)
        #expect(failed.qos == .error)
        #expect(failed.errorText == "read \(host.root)/value: No such file or directory")
        #expect(failed.timestamp == clock.wallTime())
        let health = await device.health()
        #expect(health.problems == [DeviceHealth.Problem(name: "level", reason: failed.errorText!)])
        #expect(health.summary == "1 failing: level (\(failed.errorText!))")
        // The failure was published (a change from a value to an error).
        #expect(await device.lastSequence == 2)

        try host.write("value", "11\n")
        clock.advance(by: .seconds(1))
        await device.tick()
        #expect(await eventually { await device.currentReadings().first?.value == .numeric(11, decimals: nil) })
        #expect(await device.health().summary == "1 sensor, 0 controls OK")
    }

    @Test func optionalSensorThatIsAbsentIsLeftOut() async throws {
        let host = try FakeHost()
        let cpu = SensorDefinition(name: "cpu", source: .thermal(zone: nil, type: nil), optional: true)
        let device = device(DeviceProfile(name: "t", sensors: [cpu, Self.noisy("n")]), clock: ManualClock(), host: host)
        await device.refresh()
        #expect(await device.currentReadings().map(\.name) == ["n"])
        #expect(await device.health().isHealthy)
        #expect(await device.health().sensorCount == 1)
    }

    @Test func currentReadingsFiltersAndIncludesControls() async throws {
        let profile = DeviceProfile(
            name: "t",
            sensors: [Self.noisy("temperature"), SensorDefinition(name: "serial", source: .constant("S1"), fieldType: .identity, valueType: .string, interval: nil)],
            controls: [ControlDefinition(name: "dimmer", type: .int, target: .simulated, minimum: 0, maximum: 100, initial: .int(30))])
        let device = device(profile, clock: ManualClock())
        // Before anything was read: every field is there, marked missing rather than invented.
        #expect(await device.currentReadings(names: ["temperature"]).first?.errorText == "not read yet")
        await device.tick()
        #expect(await device.currentReadings().map(\.name) == ["temperature", "serial", "dimmer"])
        #expect(await device.currentReadings(types: [.identity]).map(\.name) == ["serial"])
        #expect(await device.currentReadings(names: ["dimmer", "nothing"]).map(\.value) == [.int(30)])
        let dimmer = try #require(await device.currentReadings(types: [.status]).first)
        #expect(dimmer.name == "dimmer" && dimmer.writable)
        #expect(await device.currentReadings(names: [], types: nil).isEmpty)
    }

    @Test func applyValidatesBeforeTheHardwareAndReadsBack() async throws {
        let host = try FakeHost()
        try host.write("sys/class/pwm/pwmchip0/pwm0/duty_cycle", "7")
        let fan = ControlDefinition(
            name: "fan", type: .int, target: .sysfs(SysfsTarget(path: "/sys/class/pwm/pwmchip0/pwm0/duty_cycle", scale: 10)),
            minimum: 0, maximum: 100)
        let clock = ManualClock()
        let device = device(DeviceProfile(name: "t", sensors: [], controls: [fan]), clock: clock, host: host)
        let collector = BatchCollector(device.batches)

        await #expect(throws: ControlError("fan", .invalidValue, "150 is above the maximum 100")) {
            try await device.apply("fan", .int(150))
        }
        await #expect(throws: ControlError("fan", .invalidValue, "expects an integer")) {
            try await device.apply("fan", .string("max"))
        }
        #expect(try host.read("sys/class/pwm/pwmchip0/pwm0/duty_cycle") == "7")
        await #expect(throws: ControlError("heater", .unknownParameter, "no control named 'heater'")) {
            try await device.apply("heater", .boolean(true))
        }

        #expect(try await device.apply("fan", .int(40)) == .int(40))
        #expect(try host.read("sys/class/pwm/pwmchip0/pwm0/duty_cycle") == "400")
        #expect(await device.currentReadings(names: ["fan"]).first?.value == .int(40))
        // Published: the value read back at prepare (0.7 → 1), then the new one.
        let batches = await collector.wait(for: 2)
        #expect(batches.map { $0.readings.map(\.value) } == [[.int(1)], [.int(40)]])
        #expect(batches[1].readings[0].writable)
    }

    @Test func applyFailureNamesTheParameterAndShowsInHealth() async throws {
        let host = try FakeHost()
        try host.write("dev/gpiochip0", "")
        let relay = ControlDefinition(name: "relay", type: .boolean, target: .gpio(GPIOTarget(chip: "gpiochip0", line: 4)))
        let device = device(DeviceProfile(name: "t", sensors: [], controls: [relay]), clock: ManualClock(), host: host)
        do {
            _ = try await device.apply("relay", .boolean(true))
            Issue.record("apply on a non-chip succeeded")
        } catch {
            #expect(error.parameter == "relay")
            #expect(error.kind == .failed)
            #expect(error.message.contains("request line 4"))
        }
        let health = await device.health()
        #expect(health.problems.map(\.name) == ["relay"])
        #expect(await device.currentReadings().first?.qos == .error)
    }

    @Test func aSecondSetWhileOneRunsIsRefusedAsBusy() async throws {
        let host = try FakeHost()
        let fifo = host.root + "/gate"
        #expect(mkfifo(fifo, 0o600) == 0)
        let marker = host.root + "/running"
        let slow = ControlDefinition(
            name: "valve", type: .boolean,
            target: .command(CommandTarget(command: CommandSpec(argv: ["sh", "-c", "touch \(marker); read line < \(fifo)"]))))
        let device = device(DeviceProfile(name: "t", sensors: [], controls: [slow]), clock: ManualClock(), host: host)
        let first = Task { try await device.apply("valve", .boolean(true)) }
        // Only once the first set is running: otherwise the second could be the one that runs.
        #expect(await eventually { FileManager.default.fileExists(atPath: marker) })
        let refused = await eventually {
            do {
                _ = try await device.apply("valve", .boolean(false))
                return false
            } catch {
                return (error as? ControlError)?.kind == .busy
            }
        }
        #expect(refused)
        let gate = open(fifo, O_WRONLY)
        _ = write(gate, "go\n", 3)
        close(gate)
        #expect(try await first.value == .boolean(true))
    }

    /// The real clock and loop at 20 Hz, as the store-and-forward tests run it.
    @Test func runsOnTheSystemClockAtTwentyHertz() async throws {
        let profile = try DeviceProfile.load(path: repositoryRoot + "/Devices/simulated.toml").overridingInterval(.milliseconds(50))
        let device = Device(profile: profile, startSequence: 1000)
        let collector = BatchCollector(device.batches)
        await device.start()
        let batches = await collector.wait(for: 6)
        await device.stop()
        #expect(batches.count >= 6)
        let sequences = batches.flatMap { $0.readings.map(\.sequence) }
        #expect(sequences.first == 1001)
        #expect(sequences == Array(1001...(1000 + UInt64(sequences.count))))
        // After the first batch, only the periodic sensors (whichever changed) come back.
        #expect(batches.dropFirst().allSatisfy { Set($0.readings.map(\.name)).isSubset(of: ["temperature", "humidity", "pressure"]) })
    }

    @Test func stopEndsTheStream() async throws {
        let clock = ManualClock()
        let device = device(DeviceProfile(name: "t", sensors: [Self.noisy("a")]), clock: clock)
        await device.start()
        #expect(await eventually { clock.sleeperCount == 1 })
        await device.stop()
        var count = 0
        for await _ in device.batches { count += 1 }
        #expect(count == 1)
        #expect(await eventually { clock.sleeperCount == 0 })
    }
}
