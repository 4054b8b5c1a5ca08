import Foundation
import Testing

@testable import Devices

/// Thermal, hwmon, IIO and 1-wire sources on their real code paths, against fake sysfs trees.
@Suite struct KernelSourceTests {
    private func sensor(_ source: SourceSpec, scale: Double = 1, decimals: Int? = nil) -> SensorDefinition {
        SensorDefinition(name: "s", source: source, scale: scale, decimals: decimals)
    }

    @Test func thermalZoneByNameByTypeAndFirst() throws {
        let host = try FakeHost()
        try host.write("sys/class/thermal/thermal_zone0/type", "acpitz\n")
        try host.write("sys/class/thermal/thermal_zone0/temp", "27800\n")
        try host.write("sys/class/thermal/thermal_zone2/type", "x86_pkg_temp\n")
        try host.write("sys/class/thermal/thermal_zone2/temp", "45123\n")
        try host.write("sys/class/thermal/thermal_zone10/type", "cpu-thermal\n")
        try host.write("sys/class/thermal/thermal_zone10/temp", "51000\n")
        try host.mkdir("sys/class/thermal/cooling_device0")

        #expect(try sample(sensor(.thermal(zone: nil, type: nil), scale: 0.001, decimals: 1), on: host) == .numeric(27.8, decimals: 1))
        #expect(try sample(sensor(.thermal(zone: "thermal_zone2", type: nil), scale: 0.001, decimals: 2), on: host) == .numeric(45.12, decimals: 2))
        #expect(try sample(sensor(.thermal(zone: nil, type: "cpu-thermal"), scale: 0.001), on: host).double == 51)
        let missing = failure(sensor(.thermal(zone: nil, type: "gpu-thermal")), on: host)
        #expect(missing?.message.contains("no zone of type 'gpu-thermal'") == true)
    }

    @Test func thermalFailures() throws {
        let host = try FakeHost()
        // No thermal directory at all (a VM): the error names the directory and errno.
        let none = try #require(failure(sensor(.thermal(zone: nil, type: nil)), on: host))
        #expect(none.code == ENOENT)
        #expect(none.operation.hasSuffix("/sys/class/thermal"))

        try host.write("sys/class/thermal/thermal_zone0/temp", "garbage\n")
        let garbage = try #require(failure(sensor(.thermal(zone: "thermal_zone0", type: nil)), on: host))
        #expect(garbage.message == "'garbage' is not a number")

        try host.write("sys/class/thermal/thermal_zone1/temp", "")
        #expect(failure(sensor(.thermal(zone: "thermal_zone1", type: nil)), on: host)?.message == "empty file")

        // A directory where the attribute should be: read(2) fails with EISDIR.
        try host.mkdir("sys/class/thermal/thermal_zone3/temp")
        #expect(failure(sensor(.thermal(zone: "thermal_zone3", type: nil)), on: host)?.code == EISDIR)
    }

    /// Root ignores file modes, so chmod cannot provoke EACCES here. sysfs can: an attribute
    /// without a show method (a bus's write-only `uevent`) refuses to open for reading with
    /// EACCES even for root. The fake zone's `temp` is a symlink to one, so the real read path
    /// meets a real permission error.
    @Test func permissionErrorFromRealSysfs() throws {
        let candidates = ["/sys/bus/cpu/uevent", "/sys/bus/platform/uevent", "/sys/bus/pci/uevent"]
        let target = try #require(candidates.first { FileManager.default.fileExists(atPath: $0) })
        let host = try FakeHost()
        try host.symlink("sys/class/thermal/thermal_zone0/temp", to: target)
        let error = try #require(failure(sensor(.thermal(zone: "thermal_zone0", type: nil)), on: host))
        #expect(error.code == EACCES)
        #expect(error.message == "Permission denied")
    }

    @Test func hwmonByChipNameWithDeviceFallback() throws {
        let host = try FakeHost()
        try host.write("sys/class/hwmon/hwmon0/name", "acpitz\n")
        try host.write("sys/class/hwmon/hwmon1/name", "coretemp\n")
        try host.write("sys/class/hwmon/hwmon1/temp1_input", "48000\n")
        try host.write("sys/class/hwmon/hwmon2/name", "oldchip\n")
        try host.write("sys/class/hwmon/hwmon2/device/fan1_input", "1200\n")

        #expect(try sample(sensor(.hwmon(chip: "coretemp", attribute: "temp1_input"), scale: 0.001), on: host).double == 48)
        #expect(try sample(sensor(.hwmon(chip: "hwmon1", attribute: "temp1_input")), on: host).double == 48000)
        #expect(try sample(sensor(.hwmon(chip: "oldchip", attribute: "fan1_input")), on: host).double == 1200)
        #expect(failure(sensor(.hwmon(chip: "nct6775", attribute: "temp1_input")), on: host)?.message.contains("no chip named 'nct6775'") == true)
        #expect(failure(sensor(.hwmon(chip: "coretemp", attribute: "temp9_input")), on: host)?.code == ENOENT)
    }

    @Test func iioProcessedRawAndSharedScale() throws {
        let host = try FakeHost()
        let bme = "sys/bus/iio/devices/iio:device0/"
        try host.write(bme + "name", "bme280\n")
        try host.write(bme + "in_temp_input", "23450\n")
        try host.write(bme + "in_humidityrelative_input", "41234\n")
        try host.write(bme + "in_pressure_input", "101.325\n")
        let adc = "sys/bus/iio/devices/iio:device1/"
        try host.write(adc + "name", "ads1015\n")
        try host.write(adc + "in_voltage0_raw", "1000\n")
        try host.write(adc + "in_voltage_scale", "2.000000000\n")
        try host.write(adc + "in_voltage1_raw", "10\n")
        try host.write(adc + "in_voltage1_scale", "0.5\n")
        try host.write(adc + "in_voltage1_offset", "-4\n")
        try host.write(adc + "in_voltage2_raw", "1.2.3\n")

        #expect(try sample(sensor(.iio(device: "bme280", channel: "temp"), scale: 0.001, decimals: 2), on: host) == .numeric(23.45, decimals: 2))
        #expect(try sample(sensor(.iio(device: "bme280", channel: "humidityrelative"), scale: 0.001, decimals: 1), on: host) == .numeric(41.2, decimals: 1))
        #expect(try sample(sensor(.iio(device: "iio:device0", channel: "in_pressure"), scale: 10, decimals: 2), on: host) == .numeric(1013.25, decimals: 2))
        // (raw + offset) * scale, with the type's shared scale or the channel's own.
        #expect(try sample(sensor(.iio(device: "ads1015", channel: "voltage0")), on: host).double == 2000)
        #expect(try sample(sensor(.iio(device: "ads1015", channel: "voltage1")), on: host).double == 3)
        #expect(failure(sensor(.iio(device: "ads1015", channel: "voltage2")), on: host)?.message == "'1.2.3' is not a number")
        #expect(failure(sensor(.iio(device: "ads1015", channel: "voltage7")), on: host)?.message == "no in_voltage7_input or in_voltage7_raw")
        #expect(failure(sensor(.iio(device: "bmp180", channel: "temp")), on: host) != nil)
    }

    @Test(arguments: [
        ("72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t=23125\n", 23.125 as Double?, ""),
        ("5e ff 4b 46 7f ff 02 10 9b : crc=9b YES\n5e ff 4b 46 7f ff 02 10 9b t=-10125\n", -10.125, ""),
        ("72 01 4b 46 7f ff 0e 10 57 : crc=00 NO\n72 01 4b 46 7f ff 0e 10 57 t=23125\n", nil, "CRC check failed"),
        ("50 05 4b 46 7f ff 0c 10 1c : crc=1c YES\n50 05 4b 46 7f ff 0c 10 1c t=85000\n", nil, "power-on reset value"),
        ("72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n", nil, "truncated"),
        ("00 : crc=00 YES\nnonsense\n", nil, "no t= value"),
    ])
    func oneWire(text: String, expected: Double?, message: String) throws {
        let host = try FakeHost()
        try host.write("sys/bus/w1/devices/w1_bus_master1/w1_master_slaves", "28-0000075f1a2b\n")
        try host.write("sys/bus/w1/devices/28-0000075f1a2b/w1_slave", text)
        let definition = sensor(.oneWire(device: nil), scale: 0.001, decimals: 3)
        if let expected {
            #expect(try sample(definition, on: host).double == expected)
            #expect(try sample(sensor(.oneWire(device: "28-0000075f1a2b"), scale: 0.001, decimals: 3), on: host).double == expected)
        } else {
            #expect(failure(definition, on: host)?.message.contains(message) == true)
        }
    }

    @Test func oneWireWithoutSensorAndItRunsOffThePath() throws {
        let host = try FakeHost()
        try host.mkdir("sys/bus/w1/devices/w1_bus_master1")
        #expect(failure(sensor(.oneWire(device: nil)), on: host)?.message.contains("no thermometer") == true)
        #expect(SourceFactory.make(.oneWire(device: nil), name: "t", paths: host.paths, seed: 0).blocking == .slow)
        #expect(SourceFactory.make(.thermal(zone: nil, type: nil), name: "t", paths: host.paths, seed: 0).blocking == .mayHang)
    }
}
