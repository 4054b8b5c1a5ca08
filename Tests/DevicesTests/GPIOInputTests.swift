import CGPIO
import Foundation
import Support
import Synchronization
import Testing
import TestSupport

@testable import Devices

/// The GPIO input source: its profile keys, the line request it hands the kernel, the edge
/// watcher (fed through a pipe standing in for a line), and the errors without a chip. Real
/// chips are exercised by the kernel test (`Tests/Kernel`).
@Suite struct GPIOInputTests {
    @Test func profileKeys() throws {
        let text = """
            [[sensor]]
            name = "door"
            source = "gpio"
            chip = "kinglet-sim"
            line = "door"
            active_low = true
            bias = "pull-up"
            edges = "falling"
            debounce = "20ms"
            consumer = "door-contact"

            [[sensor]]
            name = "float"
            source = "gpio"
            chip = "gpiochip0"
            line = 4
            """
        let profile = try DeviceProfile.parse(text, file: "gpio.toml")
        let door = profile.sensors[0]
        #expect(
            door.source
                == .gpio(
                    GPIOInput(
                        chip: "kinglet-sim", line: .name("door"), activeLow: true, bias: .pullUp, edges: .falling,
                        debounce: .milliseconds(20), consumer: "door-contact")))
        #expect(door.valueType == .boolean && door.unit == "")
        #expect(profile.sensors[1].source == .gpio(GPIOInput(chip: "gpiochip0", line: 4)))
        #expect(profile.sensors[1].source.kind == "gpio")
    }

    @Test(arguments: [
        ("line = -1\n", 5, "line must be a line offset"),
        ("line = \"\"\n", 5, "line must be an offset or a line name"),
        ("line = 1\nedges = \"up\"\n", 6, "unknown edges 'up' (expected both, rising, falling, none)"),
        ("line = 1\ndebounce = \"2m\"\n", 6, "debounce must be between 0 and 60s"),
        ("line = 1\nconsumer = \"\"\n", 6, "consumer must be 1 to 31 bytes"),
        ("line = 1\ndrive = \"open-drain\"\n", 6, "unknown key 'drive' in [[sensor]]"),
        ("", 1, "missing key 'line'"),
    ])
    func badKeys(tail: String, line: Int, message: String) {
        let text = "[[sensor]]\nname = \"door\"\nsource = \"gpio\"\nchip = \"gpiochip0\"\n" + tail
        #expect {
            try DeviceProfile.parse(text, file: "bad.toml")
        } throws: { error in
            let e = error as? ProfileError
            return e?.line == line && e?.message.contains(message) == true
        }
    }

    @Test func inputRequestWithEdgesBiasAndDebounce() {
        let input = GPIOInput(chip: "c", line: 3, activeLow: true, bias: .pullUp, edges: .both, debounce: .milliseconds(20), consumer: "door")
        let request = GPIOLineRequest.input(input, offset: 3)
        #expect(withUnsafeBytes(of: request.offsets) { $0.load(as: UInt32.self) } == 3)
        #expect(request.num_lines == 1)
        // INPUT | ACTIVE_LOW | EDGE_RISING | EDGE_FALLING | BIAS_PULL_UP; no realtime clock flag.
        #expect(request.config.flags == (1 << 2) | (1 << 1) | (1 << 4) | (1 << 5) | (1 << 8))
        #expect(request.config.num_attrs == 1)
        #expect(request.config.attrs.0.attr.id == 3)  // GPIO_V2_LINE_ATTR_ID_DEBOUNCE
        #expect(request.config.attrs.0.attr.debounce_period_us == 20_000)
        #expect(request.config.attrs.0.mask == 1)
        #expect(Array(withUnsafeBytes(of: request.consumer) { Array($0) }.prefix(5)) == Array("door".utf8) + [0])
    }

    @Test func inputRequestWithoutEdgesOrDebounce() {
        let request = GPIOLineRequest.input(GPIOInput(chip: "c", line: 9, bias: .pullDown, edges: .none), offset: 9)
        #expect(request.config.flags == (1 << 2) | (1 << 9))
        #expect(request.config.num_attrs == 0)
        #expect(GPIOLineRequest.flags(GPIOInput(chip: "c", line: 0, edges: .rising)) == (1 << 2) | (1 << 4))
        #expect(GPIOLineRequest.flags(GPIOInput(chip: "c", line: 0, bias: .disabled, edges: .falling)) == (1 << 2) | (1 << 5) | (1 << 10))
    }

    @Test func eventLayoutIsTheKernels() {
        #expect(MemoryLayout<gpio_v2_line_event>.size == 48)
        #expect(MemoryLayout<gpio_v2_line_info>.size == 256)
        #expect(MemoryLayout<gpiochip_info>.size == 68)
    }

    /// A pipe stands in for the line's descriptor: the watcher polls it, reads the events written
    /// into it as the kernel would, and reports each with its wall-clock time; `stop` ends the
    /// thread.
    @Test func watcherReportsEdgesAsTheyCome() async throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[1]) }
        let line = GPIOLine(fd: fds[0], chipPath: "/dev/gpiochip0", offset: 3)
        let seen = Collected()
        let watcher = try GPIOEdgeWatcher(line: line, name: "door") { event in seen.add(event) }
        // The wall clock on both sides of the monotonic reading: the edge's time lies between.
        let before = Timestamp.now()
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let after = Timestamp.now()
        let twoSecondsAgo = UInt64(now.tv_sec - 2) * 1_000_000_000 + UInt64(now.tv_nsec)
        var events = [gpio_v2_line_event(), gpio_v2_line_event()]
        events[0].id = GPIO_V2_LINE_EVENT_RISING_EDGE.rawValue
        events[0].timestamp_ns = twoSecondsAgo
        events[1].id = GPIO_V2_LINE_EVENT_FALLING_EDGE.rawValue
        events[1].timestamp_ns = twoSecondsAgo + 500_000_000
        // One write: both events reach the watcher in one read, as a burst from the kernel does.
        events.withUnsafeBytes { _ = write(fds[1], $0.baseAddress, $0.count) }
        #expect(await eventually { seen.events.count == 2 })
        let got = seen.events
        #expect(got.map(\.value) == [.boolean(true), .boolean(false)])
        let first = got[0].time.millisecondsSinceEpoch
        // 1 ms either side: the clocks' offset is measured, not known.
        #expect((before.millisecondsSinceEpoch - 2001...after.millisecondsSinceEpoch - 1999).contains(first), "\(before) \(got[0].time) \(after)")
        #expect(got[1].time.millisecondsSinceEpoch - first == 500)
        watcher.stop()
    }

    /// An edge's monotonic time becomes wall-clock time with the milliseconds cut once, at the
    /// end, so edges read together keep their spacing exactly wherever the clocks' offset falls
    /// within a millisecond. (Cutting the edge's age and the wall clock each on its own gave
    /// 499 ms for 500 about one run in three.)
    @Test(arguments: [0, 1, 499_999, 500_000, 999_999] as [Int64], [1_000_000_000, 1_000_000_001, 1_000_999_999] as [UInt64])
    func edgeTimesKeepTheirSpacing(offsetNanoseconds: Int64, edge: UInt64) {
        let offset = 1_700_000_000_000 * 1_000_000 + offsetNanoseconds
        let first = GPIOEdgeWatcher.wallTime(ofMonotonic: edge, offset: offset)
        #expect(first.millisecondsSinceEpoch == (Int64(edge) + offset) / 1_000_000)
        for spacing: UInt64 in [1, 20, 500, 86_400_000] {
            let later = GPIOEdgeWatcher.wallTime(ofMonotonic: edge + spacing * 1_000_000, offset: offset)
            #expect(later.millisecondsSinceEpoch - first.millisecondsSinceEpoch == Int64(spacing))
        }
    }

    /// The measured offset maps "now" on the monotonic clock to "now" on the wall clock.
    @Test func realtimeOffsetMatchesTheWallClock() {
        let before = Timestamp.now()
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let after = Timestamp.now()
        let monotonic = UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
        let wall = GPIOEdgeWatcher.wallTime(ofMonotonic: monotonic, offset: GPIOEdgeWatcher.realtimeOffset())
        #expect((before.millisecondsSinceEpoch - 1...after.millisecondsSinceEpoch + 1).contains(wall.millisecondsSinceEpoch))
    }

    @Test func errorsWithoutAChip() throws {
        let host = try FakeHost()
        try host.write("dev/gpiochip0", "")
        let regular = SourceFactory.make(.gpio(GPIOInput(chip: "gpiochip0", line: 3)), name: "door", paths: host.paths, seed: 1)
        #expect {
            try regular.read(at: .zero)
        } throws: { error in
            let e = error as? DeviceError
            return e?.code == ENOTTY && e?.operation == "request line 3 of \(host.root)/dev/gpiochip0"
                && e?.message == "\(host.root)/dev/gpiochip0 is not a GPIO chip (Inappropriate ioctl for device)"
        }
        // A label no chip carries: the chips that are there are listed (this one is no chip at all).
        let byLabel = SourceFactory.make(.gpio(GPIOInput(chip: "kinglet-sim", line: 3)), name: "door", paths: host.paths, seed: 1)
        #expect {
            try byLabel.read(at: .zero)
        } throws: { error in
            (error as? DeviceError)?.description
                == "find GPIO chip 'kinglet-sim': no chip with that name or label in \(host.root)/dev (no GPIO chips there)"
        }
        let missing = SourceFactory.make(.gpio(GPIOInput(chip: "/dev/gpiochip7", line: 0)), name: "door", paths: host.paths, seed: 1)
        #expect(throws: DeviceError.self) { try missing.read(at: .zero) }
    }
}

/// Events collected from the watcher's thread.
private final class Collected: Sendable {
    private let state = Mutex<[SourceEvent]>([])
    func add(_ event: SourceEvent) { state.withLock { $0.append(event) } }
    var events: [SourceEvent] { state.withLock { $0 } }
}
