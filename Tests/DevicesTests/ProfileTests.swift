import Foundation
import Testing

@testable import Devices

@Suite struct ProfileTests {
    static let shipped = ["simulated", "linux-host", "raspberry-pi", "ds18b20", "bme280-iio"]

    @Test(arguments: shipped)
    func shippedProfilesLoadByNameAndPath(name: String) throws {
        let directory = repositoryRoot + "/Devices"
        let byName = try DeviceProfile.load(reference: name, searchDirectories: ["/nonexistent", directory])
        let byPath = try DeviceProfile.load(path: directory + "/\(name).toml")
        #expect(byName == byPath)
        #expect(byName.name == name)
        #expect(!byName.sensors.isEmpty)
    }

    @Test func simulatedProfileHasWhatTheDemoNeeds() throws {
        let profile = try DeviceProfile.load(path: repositoryRoot + "/Devices/simulated.toml")
        #expect(profile.seed == 42)
        #expect(Set(profile.sensors.map(\.name)).isSuperset(of: ["temperature", "humidity", "pressure"]))
        let controls = Dictionary(uniqueKeysWithValues: profile.controls.map { ($0.name, $0) })
        #expect(controls["relay"]?.type == .boolean)
        #expect(controls["dimmer"]?.type == .int && controls["dimmer"]?.minimum == 0 && controls["dimmer"]?.maximum == 100)
        #expect(controls["status_led"]?.type == .boolean)
        #expect(controls["mode"]?.values == ["auto", "manual", "off"])
        let fast = profile.overridingInterval(.milliseconds(50))
        #expect(fast.sensors.filter { $0.interval != nil }.allSatisfy { $0.interval == .milliseconds(50) })
        #expect(fast.sensors.contains { $0.interval == nil })
    }

    @Test func readsEveryKey() throws {
        let text = """
            [device]
            name = "bench"
            description = "d"
            interval = "2s"
            jitter = 0.1
            seed = 7

            [[sensor]]
            name = "t"
            source = "hwmon"
            chip = "coretemp"
            attribute = "temp1_input"
            unit = "K"
            description = "core"
            field_type = "peak"
            value_type = "numeric"
            scale = 0.001
            offset = 273.15
            decimals = 2
            interval = "500ms"
            deadband = 0.25
            min_interval = "1s"
            max_age = "1m"
            optional = true

            [[sensor]]
            name = "state"
            source = "command"
            command = ["/usr/bin/state", "--json"]
            timeout = "3s"
            max_output = "1KiB"
            json = "$.state"
            value_type = "enum"
            enum_type = "State"
            values = ["up", "down"]

            [[control]]
            name = "fan"
            type = "double"
            unit = "%"
            description = "fan"
            min = 0
            max = 100
            decimals = 1
            field_type = "momentary"
            initial = 25
            [control.target]
            kind = "sysfs"
            path = "/sys/class/pwm/pwmchip0/pwm0/duty_cycle"
            scale = 200000
            offset = 0
            on = "x"
            off = "y"
            readback = false
            setup = { "/sys/class/pwm/pwmchip0/pwm0/enable" = "1" }

            [[control]]
            name = "relay"
            type = "boolean"
            target = { kind = "gpio", chip = "/dev/gpiochip1", line = 5, active_low = true, drive = "open-drain", bias = "pull-down", consumer = "k" }

            [[control]]
            name = "label"
            type = "string"
            max_length = 8
            target = { kind = "command", command = ["/bin/label", "{value}"], readback = ["/bin/label"], pattern = "=(.*)", timeout = "2s" }
            """
        let profile = try DeviceProfile.parse(text, file: "bench.toml")
        #expect(profile.name == "bench" && profile.description == "d" && profile.jitter == 0.1 && profile.seed == 7)
        let t = profile.sensors[0]
        #expect(t.source == .hwmon(chip: "coretemp", attribute: "temp1_input"))
        #expect(t.unit == "K" && t.fieldType == .peak && t.scale == 0.001 && t.offset == 273.15 && t.decimals == 2)
        #expect(t.interval == .milliseconds(500) && t.optional)
        #expect(t.filter == ChangeFilter(deadband: 0.25, minInterval: .seconds(1), maxAge: .seconds(60)))
        let state = profile.sensors[1]
        guard case .command(let command, let extraction) = state.source else { Issue.record("not a command"); return }
        #expect(command == CommandSpec(argv: ["/usr/bin/state", "--json"], timeout: .seconds(3), maxOutput: 1024))
        #expect(extraction.jsonPath?.source == "$.state")
        #expect(state.valueType == .enumeration && state.enumType == "State" && state.enumValues == ["up", "down"])
        #expect(state.interval == .seconds(2))
        let fan = profile.controls[0]
        #expect(fan.type == .double && fan.minimum == 0 && fan.maximum == 100 && fan.decimals == 1 && fan.initial == .double(25))
        #expect(fan.fieldType == .momentary)
        #expect(
            fan.target
                == .sysfs(
                    SysfsTarget(
                        path: "/sys/class/pwm/pwmchip0/pwm0/duty_cycle", onText: "x", offText: "y", scale: 200_000,
                        setup: [SysfsWrite(path: "/sys/class/pwm/pwmchip0/pwm0/enable", value: "1")], readback: false)))
        #expect(
            profile.controls[1].target
                == .gpio(GPIOTarget(chip: "/dev/gpiochip1", line: 5, activeLow: true, drive: .openDrain, bias: .pullDown, consumer: "k")))
        guard case .command(let target) = profile.controls[2].target else { Issue.record("not a command"); return }
        #expect(target.command.argv == ["/bin/label", "{value}"] && target.readback?.argv == ["/bin/label"])
        #expect(target.extraction.pattern?.source == "=(.*)")
        #expect(profile.controls[2].maxLength == 8)
    }

    static let base = "[[sensor]]\nname = \"a\"\nsource = \"proc\"\nmetric = \"load_1m\"\n"

    @Test(arguments: [
        ("[[sensor]]\nname = \"a\"\nsource = \"thermall\"\n", 3, "unknown source 'thermall' for sensor 'a' (expected one of:"),
        ("[[sensor]]\nname = \"a\"\nsource = \"file\"\n", 1, "missing key 'path' in [[sensor]]"),
        ("[[sensor]]\nname = \"a\"\nsource = \"hwmon\"\nchip = \"x\"\n", 1, "missing key 'attribute'"),
        (base + "metrik = \"x\"\n", 5, "unknown key 'metrik' in [[sensor]] (did you mean 'metric'?)"),
        ("[[sensor]]\nname = \"a\"\nsource = \"proc\"\nmetric = \"load\"\n", 4, "unknown metric 'load' (expected load_1m, load_5m"),
        (base + base, 6, "duplicate name 'a' (first defined at line 2)"),
        (base + "[[control]]\nname = \"a\"\ntype = \"boolean\"\ntarget = \"simulated\"\n", 6, "duplicate name 'a'"),
        ("[[sensor]]\nname = \"a b\"\nsource = \"kernel\"\n", 2, "name 'a b' contains a space"),
        (base + "interval = \"5ms\"\n", 5, "interval must be at least 10ms"),
        (base + "interval = \"soon\"\n", 5, "must be a duration"),
        (base + "deadband = -1\n", 5, "deadband cannot be negative"),
        (base + "decimals = 20\n", 5, "decimals must be between 0 and 12"),
        (base + "field_type = \"historical\"\n", 5, "unknown field_type 'historical'"),
        (base + "values = [\"x\"]\n", 5, "values is only for value_type = \"enum\""),
        ("[[sensor]]\nname = \"a\"\nsource = \"file\"\npath = \"/x\"\npattern = \"t=(\"\n", 5, "pattern: missing ')' at character 4"),
        ("[[sensor]]\nname = \"a\"\nsource = \"file\"\npath = \"/x\"\npattern = \"x\"\njson = \"a\"\n", 6, "use pattern or json, not both"),
        ("[[sensor]]\nname = \"a\"\nsource = \"file\"\npath = \"/x\"\nradix = 8\n", 5, "radix must be 10 or 16"),
        ("[[sensor]]\nname = \"a\"\nsource = \"command\"\ncommand = []\n", 4, "command must name a program"),
        ("[[sensor]]\nname = \"a\"\nsource = \"command\"\ncommand = \"ls -l\"\n", 4, "must be an array of strings"),
        ("[[sensor]]\nname = \"a\"\nsource = \"simulated\"\nmean = 1\nmin = 5\nmax = 1\n", 5, "min is above max"),
        ("[[control]]\nname = \"c\"\ntype = \"int\"\nmin = 10\nmax = 5\ntarget = \"simulated\"\n", 4, "min (10) is above max (5)"),
        ("[[control]]\nname = \"c\"\ntype = \"boolean\"\nmax = 5\ntarget = \"simulated\"\n", 4, "max does not apply to a boolean control"),
        ("[[control]]\nname = \"c\"\ntype = \"int\"\nmin = 0.5\ntarget = \"simulated\"\n", 4, "min of an int control must be an integer"),
        ("[[control]]\nname = \"c\"\ntype = \"enum\"\ntarget = \"simulated\"\n", 3, "missing key 'values' for enum control 'c'"),
        ("[[control]]\nname = \"c\"\ntype = \"enum\"\nvalues = [\"a\", \"a\"]\ntarget = \"simulated\"\n", 4, "value 'a' is listed twice"),
        ("[[control]]\nname = \"c\"\ntype = \"enum\"\nvalues = []\ntarget = \"simulated\"\n", 4, "at least one value"),
        ("[[control]]\nname = \"c\"\ntype = \"int\"\nvalues = [\"a\"]\ntarget = \"simulated\"\n", 4, "values only apply to an enum control"),
        ("[[control]]\nname = \"c\"\ntype = \"int\"\nmax = 10\ninitial = 11\ntarget = \"simulated\"\n", 5, "initial: 11 is above the maximum 10"),
        ("[[control]]\nname = \"c\"\ntype = \"boolean\"\ninitial = \"on\"\ntarget = \"simulated\"\n", 4, "initial must be boolean, not a string"),
        ("[[control]]\nname = \"c\"\ntype = \"switch\"\ntarget = \"simulated\"\n", 3, "unknown control type 'switch' for 'c'"),
        ("[[control]]\nname = \"c\"\ntype = \"boolean\"\n", 1, "missing key 'target' in [[control]]"),
        ("[[control]]\nname = \"c\"\ntype = \"boolean\"\ntarget = \"gpio\"\n", 4, "target must be \"simulated\" or a table"),
        ("[[control]]\nname = \"c\"\ntype = \"boolean\"\ntarget = { kind = \"i2c\" }\n", 4, "unknown target kind 'i2c'"),
        ("[[control]]\nname = \"c\"\ntype = \"boolean\"\ntarget = { kind = \"sysfs\" }\n", 4, "missing key 'path' in [control.target]"),
        ("[[control]]\nname = \"c\"\ntype = \"int\"\ntarget = { kind = \"gpio\", chip = \"gpiochip0\", line = 4 }\n", 3, "a gpio target needs a boolean control"),
        ("[[control]]\nname = \"c\"\ntype = \"boolean\"\ntarget = { kind = \"gpio\", chip = \"gpiochip0\", line = -1 }\n", 4, "line must be a line offset"),
        ("[[control]]\nname = \"c\"\ntype = \"boolean\"\ntarget = { kind = \"gpio\", chip = \"gpiochip0\", line = 1, drive = \"strong\" }\n", 4, "unknown drive 'strong'"),
        ("[[control]]\nname = \"c\"\ntype = \"double\"\ntarget = { kind = \"sysfs\", path = \"/x\", scale = 0 }\n", 4, "scale must be a non-zero number"),
        ("[device]\njitter = 0.9\n" + base, 2, "jitter must be between 0 and 0.5"),
        ("[device]\nname = \"x\"\n", 1, "the profile defines no [[sensor]] and no [[control]]"),
        ("[devices]\nname = \"x\"\n", 1, "unknown key 'devices' (did you mean 'device'?)"),
        ("[[sensor]\nname = \"a\"\n", 1, "expected ']]'"),
    ])
    func problemsAreReportedAtTheirLine(text: String, line: Int, message: String) {
        do {
            let profile = try DeviceProfile.parse(text, file: "bad.toml")
            Issue.record("accepted: \(profile)")
        } catch {
            #expect(error.file == "bad.toml")
            #expect(error.line == line)
            #expect(error.message.contains(message), "\(error)")
            #expect(error.description.hasPrefix("bad.toml:\(line): "))
        }
    }

    @Test func missingFilesAndNames() {
        #expect(throws: ProfileError(file: "/nonexistent/x.toml", line: 0, message: "cannot read: No such file or directory")) {
            try DeviceProfile.load(path: "/nonexistent/x.toml")
        }
        let builtIn = BuiltInProfiles.names.joined(separator: ", ")
        #expect(throws: ProfileError(file: "nosuch", line: 0, message: "no profile named 'nosuch' in /a, /b and none built in (\(builtIn))")) {
            try DeviceProfile.load(reference: "nosuch", searchDirectories: ["/a", "/b"])
        }
        #expect(ProfileError(file: "f", line: 0, message: "m").description == "f: m")
    }
}
