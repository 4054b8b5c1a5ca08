import Foundation
import Readings
import Support
import Synchronization
import Testing
import TestSupport

@testable import Devices

/// Edge events reaching the device between ticks, and controls that start where they were left.
@Suite struct DeviceEventsAndRestoreTests {
    /// A switch whose level the test sets and whose changes it announces, as a GPIO line's
    /// watcher thread would.
    final class FakeSwitch: EventSource {
        private struct State {
            var level = false
            var report: (@Sendable (SourceEvent) -> Void)?
            var stops = 0
        }
        private let state = Mutex(State())
        var blocking: Blocking { .never }

        func read(at time: Duration) throws(DeviceError) -> RawValue { .boolean(state.withLock { $0.level }) }
        func startEvents(_ report: @escaping @Sendable (SourceEvent) -> Void) { state.withLock { $0.report = report } }
        func stopEvents() { state.withLock { $0.report = nil; $0.stops += 1 } }
        var stops: Int { state.withLock { $0.stops } }
        var watched: Bool { state.withLock { $0.report != nil } }

        /// Changes the level and reports it, stamped `time`, from the caller's thread (not the
        /// device's), in order.
        func flip(to level: Bool, at time: Timestamp) {
            let report = state.withLock { state in
                state.level = level
                return state.report
            }
            report?(SourceEvent(value: .boolean(level), time: time))
        }
    }

    private static let door = SensorDefinition(name: "door", source: .gpio(GPIOInput(chip: "c", line: 0)), valueType: .boolean, interval: .seconds(3600))

    @Test func anEdgeIsPublishedAtOnceWithItsOwnTime() async throws {
        let clock = ManualClock()
        let fake = FakeSwitch()
        let device = Device(
            profile: DeviceProfile(name: "t", sensors: [Self.door]), environment: DeviceEnvironment(clock: clock), startSequence: 0,
            sources: [fake])
        let collector = BatchCollector(device.batches)
        await device.start()
        #expect(fake.watched)
        #expect(await collector.wait(for: 1).first?.readings.first?.value == .boolean(false))
        // No tick comes for an hour; the edge is published anyway, stamped when it happened.
        let edgeTime = clock.wallTime().adding(milliseconds: 250)
        clock.advance(by: .milliseconds(300))
        fake.flip(to: true, at: edgeTime)
        let batches = await collector.wait(for: 2)
        #expect(batches.count == 2)
        #expect(batches[1].readings.map(\.value) == [.boolean(true)])
        #expect(batches[1].readings.first?.timestamp == edgeTime)
        #expect(batches[1].readings.first?.sequence == 2)
        #expect(await device.currentReadings(names: ["door"]).first?.value == .boolean(true))
        // An edge older than the latest reading was already seen by it: dropped. The same level
        // again is no change for the filter: not published either. The next real change is.
        fake.flip(to: false, at: edgeTime.adding(milliseconds: -100))
        fake.flip(to: true, at: edgeTime.adding(milliseconds: 100))
        fake.flip(to: false, at: edgeTime.adding(milliseconds: 200))
        let after = await collector.wait(for: 3)
        #expect(after.count == 3)
        #expect(after[2].readings.map(\.value) == [.boolean(false)])
        #expect(after[2].readings.first?.sequence == 3)
        #expect(after[2].readings.first?.timestamp == edgeTime.adding(milliseconds: 200))
        await device.stop()
        #expect(fake.stops == 1 && !fake.watched)
    }

    private static let controls = [
        ControlDefinition(name: "relay", type: .boolean, target: .simulated, initial: .boolean(false)),
        ControlDefinition(name: "dimmer", type: .int, target: .simulated, minimum: 0, maximum: 100, initial: .int(10)),
        ControlDefinition(name: "mode", type: .enumeration, target: .simulated, values: ["auto", "off"], initial: .enumeration("auto"), restore: .initial),
    ]

    @Test func lastValuesAreRestoredWhereTheProfileSaysSoAndStillValid() async throws {
        let clock = ManualClock()
        let device = Device(profile: DeviceProfile(name: "t", sensors: [], controls: Self.controls), environment: DeviceEnvironment(clock: clock))
        let stamp = Timestamp(secondsSinceEpoch: 1_690_000_000)
        await device.adopt([
            ControlState(name: "relay", value: .boolean(true), setBy: "alice@example.org", setAt: stamp),
            // Out of the profile's limits now (the profile changed): back to the initial value.
            ControlState(name: "dimmer", value: .int(150), setBy: "bob@example.org", setAt: stamp),
            // restore = "initial": shown as last set, not applied.
            ControlState(name: "mode", value: .enumeration("off"), setBy: "kinglet set (root)", setAt: stamp),
            ControlState(name: "gone", value: .boolean(true), setBy: "x", setAt: stamp),
        ])
        await device.start()
        let values = await device.currentReadings().reduce(into: [String: FieldValue]()) { $0[$1.name] = $1.value }
        #expect(values["relay"] == .boolean(true))
        #expect(values["dimmer"] == .int(10))
        #expect(values["mode"] == .enumeration("auto", dataType: "mode"))
        #expect(await device.lastSets().map(\.name) == ["relay", "dimmer", "mode"])
        await device.stop()
    }

    @Test func aSetWithASetterIsKeptBeforeItIsConfirmed() async throws {
        let clock = ManualClock()
        let device = Device(profile: DeviceProfile(name: "t", sensors: [], controls: Self.controls), environment: DeviceEnvironment(clock: clock))
        let kept = Mutex<[ControlState]>([])
        await device.keepStates { state in kept.withLock { $0.append(state) } }
        #expect(try await device.apply("dimmer", .double(40), by: "alice@example.org") == .int(40))
        #expect(kept.withLock { $0 } == [ControlState(name: "dimmer", value: .int(40), setBy: "alice@example.org", setAt: clock.wallTime())])
        #expect(await device.lastSets().first?.setBy == "alice@example.org")
        // Without a setter (tools, tests) nothing is kept.
        _ = try await device.apply("relay", .boolean(true))
        #expect(kept.withLock { $0.count } == 1)
        // A refused value is never kept.
        await #expect(throws: ControlError.self) { try await device.apply("dimmer", .int(101), by: "alice@example.org") }
        #expect(kept.withLock { $0.count } == 1)
    }
}
