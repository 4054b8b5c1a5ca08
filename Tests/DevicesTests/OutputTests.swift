import CGPIO
import Foundation
import Testing

@testable import Devices

/// Outputs against temp-dir sysfs files and scripts, and the GPIO line request built for the kernel.
@Suite struct OutputTests {
    @Test func sysfsLEDWithSetupAndReadback() throws {
        let host = try FakeHost()
        try host.write("sys/class/leds/ACT/brightness", "0\n")
        try host.write("sys/class/leds/ACT/trigger", "[mmc0] none heartbeat\n")
        let target = SysfsTarget(
            path: "/sys/class/leds/ACT/brightness", setup: [SysfsWrite(path: "/sys/class/leds/ACT/trigger", value: "none")])
        let control = ControlDefinition(name: "led", type: .boolean, target: .sysfs(target), initial: .boolean(true))
        let output = OutputFactory.make(control.target, paths: host.paths)

        #expect(try output.prepare(control) == .boolean(true))
        #expect(try host.read("sys/class/leds/ACT/trigger") == "none")
        #expect(try host.read("sys/class/leds/ACT/brightness") == "1")
        #expect(try output.write(.boolean(false), control) == .boolean(false))
        #expect(try host.read("sys/class/leds/ACT/brightness") == "0")
        // A LED's brightness reads back as its level: 255 is on.
        try host.write("sys/class/leds/ACT/brightness", "255\n")
        let readOnly = ControlDefinition(name: "led", type: .boolean, target: .sysfs(SysfsTarget(path: "/sys/class/leds/ACT/brightness")))
        #expect(try OutputFactory.make(readOnly.target, paths: host.paths).prepare(readOnly) == .boolean(true))
    }

    @Test func sysfsPWMDutyCycleScaled() throws {
        let host = try FakeHost()
        try host.write("sys/class/pwm/pwmchip0/pwm0/duty_cycle", "0\n")
        // 0-100 % of a 20 ms period in nanoseconds.
        let target = SysfsTarget(path: "/sys/class/pwm/pwmchip0/pwm0/duty_cycle", scale: 200_000)
        let control = ControlDefinition(name: "fan", type: .int, target: .sysfs(target), minimum: 0, maximum: 100)
        let output = OutputFactory.make(control.target, paths: host.paths)
        #expect(try output.write(.int(35), control) == .int(35))
        #expect(try host.read("sys/class/pwm/pwmchip0/pwm0/duty_cycle") == "7000000")
    }

    @Test func sysfsTextAndFailures() throws {
        let host = try FakeHost()
        try host.write("sys/class/gpio/gpio17/direction", "in\n")
        let direction = ControlDefinition(
            name: "direction", type: .enumeration, target: .sysfs(SysfsTarget(path: "/sys/class/gpio/gpio17/direction")),
            values: ["in", "out"])
        let output = OutputFactory.make(direction.target, paths: host.paths)
        #expect(try output.prepare(direction) == .enumeration("in"))
        #expect(try output.write(.enumeration("out"), direction) == .enumeration("out"))

        // Writes never create files: a missing attribute is an error naming it.
        let missing = ControlDefinition(name: "x", type: .boolean, target: .sysfs(SysfsTarget(path: "/sys/class/leds/nope/brightness")))
        #expect {
            try OutputFactory.make(missing.target, paths: host.paths).write(.boolean(true), missing)
        } throws: { error in
            (error as? DeviceError)?.code == ENOENT && (error as? DeviceError)?.operation.hasSuffix("/sys/class/leds/nope/brightness") == true
        }
        #expect(!FileManager.default.fileExists(atPath: host.root + "/sys/class/leds/nope/brightness"))
    }

    @Test func commandOutputPassesTheValueAsOneArgument() throws {
        let host = try FakeHost()
        let state = host.root + "/state"
        let set = try host.script("set.sh", "printf '%s' \"$1\" > \(state); [ \"$KINGLET_CONTROL\" = label ] || exit 9")
        let get = try host.script("get.sh", "printf 'value=%s\\n' \"$(cat \(state))\"")
        let target = CommandTarget(
            command: CommandSpec(argv: set + ["{value}"]), readback: CommandSpec(argv: get),
            extraction: Extraction(pattern: try TextPattern("value=(.*)")))
        let control = ControlDefinition(name: "label", type: .string, target: .command(target))
        let output = OutputFactory.make(control.target, paths: host.paths)
        #expect(output.blocking == .slow)
        let hostile = "a b; rm -rf / $(id)"
        #expect(try output.write(.string(hostile), control) == .string(hostile))
        #expect(try host.read("state") == hostile)
        #expect(CommandOutput.substitute(["x={value}!", "{value}{value}", "plain"], value: "v") == ["x=v!", "vv", "plain"])
    }

    @Test func commandOutputFailureAndNoReadback() throws {
        let host = try FakeHost()
        let refuse = try host.script("refuse.sh", "echo 'relay board not found' >&2; exit 2")
        let control = ControlDefinition(name: "relay", type: .boolean, target: .command(CommandTarget(command: CommandSpec(argv: refuse + ["{value}"]))))
        let output = OutputFactory.make(control.target, paths: host.paths)
        #expect {
            try output.write(.boolean(true), control)
        } throws: { error in
            (error as? DeviceError)?.message == "exited with status 2: relay board not found"
        }
        let accept = try host.script("accept.sh", "exit 0")
        let quiet = ControlDefinition(name: "relay", type: .boolean, target: .command(CommandTarget(command: CommandSpec(argv: accept))))
        #expect(try OutputFactory.make(quiet.target, paths: host.paths).write(.boolean(true), quiet) == nil)
    }

    // MARK: - GPIO character device

    private func offsets(_ request: gpio_v2_line_request) -> [UInt32] {
        withUnsafeBytes(of: request.offsets) { Array($0.bindMemory(to: UInt32.self)) }
    }

    private func consumer(_ request: gpio_v2_line_request) -> [UInt8] {
        withUnsafeBytes(of: request.consumer) { Array($0) }
    }

    @Test func lineRequestForAPushPullOutput() {
        let request = GPIOLineRequest.make(GPIOTarget(chip: "gpiochip0", line: 17), offset: 17, initial: true)
        #expect(MemoryLayout<gpio_v2_line_request>.size == 592)  // the kernel ABI
        #expect(offsets(request)[0] == 17)
        #expect(offsets(request).dropFirst().allSatisfy { $0 == 0 })
        #expect(request.num_lines == 1)
        #expect(request.config.flags == 1 << 3)  // GPIO_V2_LINE_FLAG_OUTPUT
        #expect(request.config.num_attrs == 1)
        #expect(request.config.attrs.0.attr.id == 2)  // GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES
        #expect(request.config.attrs.0.attr.values == 1)
        #expect(request.config.attrs.0.mask == 1)
        #expect(request.config.attrs.1.attr.id == 0)
        #expect(request.event_buffer_size == 0)
        #expect(request.fd == 0)
        let label = consumer(request)
        #expect(Array(label.prefix(8)) == Array("kinglet".utf8) + [0])
    }

    @Test func lineRequestFlagsAndInitialLow() {
        let target = GPIOTarget(chip: "/dev/gpiochip4", line: 27, activeLow: true, drive: .openDrain, bias: .pullUp, consumer: "relay-2")
        let request = GPIOLineRequest.make(target, offset: 27, initial: false)
        // OUTPUT | ACTIVE_LOW | OPEN_DRAIN | BIAS_PULL_UP
        #expect(request.config.flags == (1 << 3) | (1 << 1) | (1 << 6) | (1 << 8))
        #expect(request.config.attrs.0.attr.values == 0)
        #expect(request.config.attrs.0.mask == 1)
        #expect(offsets(request)[0] == 27)
        #expect(Array(consumer(request).prefix(8)) == Array("relay-2".utf8) + [0])
        #expect(GPIOLineRequest.flags(GPIOTarget(chip: "c", line: 0, drive: .openSource, bias: .pullDown)) == (1 << 3) | (1 << 7) | (1 << 9))
        #expect(GPIOLineRequest.flags(GPIOTarget(chip: "c", line: 0, bias: .disabled)) == (1 << 3) | (1 << 10))
    }

    @Test func consumerLabelIsCutToTheKernelSize() {
        let request = GPIOLineRequest.make(GPIOTarget(chip: "c", line: 0, consumer: String(repeating: "x", count: 40)), offset: 0, initial: false)
        let label = consumer(request)
        #expect(label.count == 32)
        #expect(label.prefix(31).allSatisfy { $0 == UInt8(ascii: "x") })
        #expect(label[31] == 0)
    }

    @Test func setValuesCoverOnlyTheRequestedLine() {
        let on = GPIOLineRequest.values(true)
        #expect(on.bits == 1 && on.mask == 1)
        #expect(GPIOLineRequest.values(false).bits == 0)
    }

    /// No GPIO chip here: a regular file stands in, and the kernel refuses the ioctl (ENOTTY).
    /// The error path and the chip-path mapping are what this exercises.
    @Test func requestOnSomethingThatIsNotAChip() throws {
        let host = try FakeHost()
        try host.write("dev/gpiochip0", "")
        let control = ControlDefinition(name: "relay", type: .boolean, target: .gpio(GPIOTarget(chip: "gpiochip0", line: 17)))
        let output = OutputFactory.make(control.target, paths: host.paths)
        #expect {
            try output.prepare(control)
        } throws: { error in
            let e = error as? DeviceError
            return e?.code == ENOTTY && e?.operation == "request line 17 of \(host.root)/dev/gpiochip0"
        }
        // A set after a failed start tries again, and fails the same honest way.
        #expect(throws: DeviceError.self) { try output.write(.boolean(true), control) }
        let absent = ControlDefinition(name: "relay", type: .boolean, target: .gpio(GPIOTarget(chip: "/dev/gpiochip9", line: 1)))
        #expect {
            try OutputFactory.make(absent.target, paths: host.paths).prepare(absent)
        } throws: { error in
            (error as? DeviceError)?.code == ENOENT
        }
    }
}
