import Support
import Synchronization
import Testing
import TestSupport

@testable import Devices
import Readings

/// Reads and writes that never return (a wedged I²C hwmon chip, a hung mount), on the manual
/// clock: the sensor or control fails with the path at the deadline, the others go on, and the
/// hung thread is not joined by more.
@Suite struct HungReadTests {
    typealias Latch = OffloadedWorkTests.Latch

    /// A sysfs attribute whose read blocks until the latch is released, counting the reads.
    final class WedgedAttribute: SensorSource, ControlOutput {
        let latch = Latch()
        let path = "/sys/class/hwmon/hwmon3/temp1_input"
        private let count = Mutex(0)
        var blocking: Blocking { .mayHang }
        var deadline: Duration { Blocking.deadline }
        var calls: Int { count.withLock { $0 } }

        private func hang(_ verb: String) {
            count.withLock { $0 += 1 }
            OperationTrace.note(verb, path)
            latch.wait()
        }

        func read(at time: Duration) throws(DeviceError) -> RawValue {
            hang("read")
            return .number(41_000)
        }

        /// Hangs when the control has an initial value to write (as `kinglet set` gives it).
        func prepare(_ definition: ControlDefinition) throws(DeviceError) -> ControlValue? {
            guard let initial = definition.initial else { return nil }
            return try write(initial, definition)
        }
        func write(_ value: ControlValue, _ definition: ControlDefinition) throws(DeviceError) -> ControlValue? {
            hang("write")
            return value
        }
        func peek(_ definition: ControlDefinition) throws(DeviceError) -> ControlValue? { nil }
    }

    static let profile = DeviceProfile(
        name: "t",
        sensors: [
            SensorDefinition(name: "board", source: .hwmon(chip: "hwmon3", attribute: "temp1_input"), interval: .seconds(1)),
            DeviceTests.noisy("fast"),
        ])

    /// The wedged hwmon attribute and a simulated sensor beside it.
    static func board(_ wedged: WedgedAttribute, _ clock: ManualClock) -> Device {
        Device(
            profile: profile, environment: DeviceEnvironment(clock: clock), startSequence: 0,
            sources: [wedged, SimulatedSource(signal: SimulatedSignal(mean: 20, noise: 1), seed: 1)])
    }

    static let timedOut = "read timed out after 5 s: /sys/class/hwmon/hwmon3/temp1_input"

    @Test func aHungReadFailsItsSensorAtTheDeadlineAndTheOthersGoOn() async throws {
        let clock = ManualClock()
        let wedged = WedgedAttribute()
        let device = Self.board(wedged, clock)
        let collector = BatchCollector(device.batches)
        let tick = Task { await device.tick() }
        // The tick waits a moment for its file reads, then sends what it has.
        #expect(await clock.waitForSleepers(1))
        #expect(await eventually { wedged.calls == 1 })  // the path is noted
        clock.advance(by: Device.batchWait)
        await tick.value
        #expect(await collector.wait(for: 1).first?.readings.map(\.name) == ["fast"])
        // At the deadline the sensor fails, naming the file, in a batch of its own.
        #expect(await clock.waitForSleepers(1))
        clock.advance(by: Blocking.deadline - Device.batchWait)
        let failed = await collector.wait(for: 2).dropFirst(1).first?.readings
        #expect(failed?.map(\.name) == ["board"])
        #expect(failed?.first?.errorText == Self.timedOut)
        #expect(await device.health().problems == [DeviceHealth.Problem(name: "board", reason: Self.timedOut)])
        // While it hangs it is skipped (no second thread), and the other sensor is read at once.
        clock.advance(by: .seconds(1))
        await device.tick()
        #expect(await collector.wait(for: 3).dropFirst(2).first?.readings.map(\.name) == ["fast"])
        #expect(wedged.calls == 1)
        // Once the bus lets go, the sensor is read again, in the tick's batch.
        wedged.latch.release()
        #expect(await eventually { await !device.sensors[0].inFlight })
        clock.advance(by: .seconds(1))
        await device.tick()
        let last = await collector.wait(for: 4).dropFirst(3).first?.readings
        #expect(last?.map(\.name) == ["board", "fast"])
        #expect(last?.first?.value?.double == 41_000)
        #expect(wedged.calls == 2)
    }

    /// `kinglet read --once`: the table comes at the deadline, with the path.
    @Test func aRefreshReturnsAtTheDeadlineWithThePath() async throws {
        let clock = ManualClock()
        let wedged = WedgedAttribute()
        let device = Self.board(wedged, clock)
        let refresh = Task { await device.refresh() }
        #expect(await clock.waitForSleepers(1))
        #expect(await eventually { wedged.calls == 1 })
        clock.advance(by: Blocking.deadline)
        await refresh.value
        let readings = await device.currentReadings()
        #expect(readings.map(\.errorText) == [Self.timedOut, nil])
        // Refreshing again (`--watch`) starts no second read of the hung file.
        await device.refresh()
        #expect(await device.currentReadings().first?.errorText == Self.timedOut)
        #expect(wedged.calls == 1)
        wedged.latch.release()
    }

    static func failure(of set: () async throws(ControlError) -> ControlValue) async -> String? {
        do {
            _ = try await set()
            return nil
        } catch {
            return error.message
        }
    }

    @Test func aHungWriteFailsTheSetAndTheNextOneAtOnceUntilItEnds() async throws {
        let clock = ManualClock()
        let wedged = WedgedAttribute()
        let pwm = ControlDefinition(name: "fan", type: .int, target: .sysfs(SysfsTarget(path: wedged.path)), minimum: 0, maximum: 255)
        let device = Device(
            profile: DeviceProfile(name: "t", sensors: [], controls: [pwm]), environment: DeviceEnvironment(clock: clock),
            startSequence: 0, sources: [], outputs: [wedged])
        await device.start()
        let set = Task { await Self.failure { () throws(ControlError) in try await device.apply("fan", .int(128)) } }
        #expect(await clock.waitForSleepers(1))
        #expect(await eventually { wedged.calls == 1 })
        clock.advance(by: Blocking.deadline)
        let writeTimedOut = "write timed out after 5 s: \(wedged.path)"
        #expect(await set.value == writeTimedOut)
        // A set while that write hangs fails at once, with the same reason; no second thread.
        #expect(await Self.failure { () throws(ControlError) in try await device.apply("fan", .int(64)) } == writeTimedOut)
        #expect(wedged.calls == 1)
        wedged.latch.release()
        #expect(await eventually { await device.controlSlots[0].hung == nil })
        #expect(try await device.apply("fan", .int(64)) == .int(64))
        await device.stop()
    }

    /// `kinglet set` on the wedged attribute: fails at the deadline with the path.
    @Test func aBoundedPrepareFailsAtTheDeadline() async throws {
        let clock = ManualClock()
        let wedged = WedgedAttribute()
        let pwm = ControlDefinition(
            name: "fan", type: .int, target: .sysfs(SysfsTarget(path: wedged.path)), minimum: 0, maximum: 255, initial: .int(9))
        let set = Task { () -> String? in
            do throws(DeviceError) {
                _ = try await wedged.boundedPrepare(pwm, clock: clock)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(await clock.waitForSleepers(1))
        #expect(await eventually { wedged.calls == 1 })
        clock.advance(by: Blocking.deadline)
        #expect(await set.value == "write timed out after 5 s: \(wedged.path)")
        wedged.latch.release()
    }
}
