import Foundation
import Support
import Testing

@testable import Devices
import Readings

/// /proc, statvfs and host identity sources against fake trees (and statvfs on a real directory).
@Suite struct ProcSourceTests {
    static let meminfo = """
        MemTotal:        8000000 kB
        MemFree:         1000000 kB
        MemAvailable:    6000000 kB
        Buffers:          100000 kB
        SwapTotal:       2000000 kB
        SwapFree:        1500000 kB

        """
    static let netdev = """
        Inter-|   Receive                                                |  Transmit
         face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
            lo:    7736      76    0    0    0     0          0         0     7736      76    0    0    0     0       0          0
          eth0: 48739956    1363    0    0    0     0          0         0   103736     918    0    0    0     0       0          0
         wlan0:    1000      10    0    0    0     0          0         0      500       5    0    0    0     0       0          0

        """

    private func proc(_ metric: ProcMetric, interface: String? = nil, _ host: FakeHost) throws(DeviceError) -> Double? {
        try sample(SensorDefinition(name: "p", source: .proc(metric, interface: interface)), on: host).double
    }

    @Test func figures() throws {
        let host = try FakeHost()
        try host.write("proc/loadavg", "0.52 0.26 0.11 4/90 6146\n")
        try host.write("proc/meminfo", Self.meminfo)
        try host.write("proc/uptime", "12345.67 23456.78\n")
        try host.write("proc/net/dev", Self.netdev)

        #expect(try proc(.load1, host) == 0.52)
        #expect(try proc(.load5, host) == 0.26)
        #expect(try proc(.load15, host) == 0.11)
        #expect(try proc(.processes, host) == 90)
        #expect(try proc(.memoryTotal, host) == 8_000_000 * 1024)
        #expect(try proc(.memoryAvailable, host) == 6_000_000 * 1024)
        #expect(try proc(.memoryUsed, host) == 2_000_000 * 1024)
        #expect(try proc(.memoryUsedPercent, host) == 25)
        #expect(try proc(.swapUsedPercent, host) == 25)
        #expect(try proc(.uptime, host) == 12345.67)
        #expect(try proc(.networkReceived, host) == 48_739_956 + 1000)
        #expect(try proc(.networkSent, host) == 103_736 + 500)
        #expect(try proc(.networkReceived, interface: "lo", host) == 7736)
        #expect(throws: DeviceError.self) { try proc(.networkSent, interface: "eth9", host) }
    }

    @Test func uptimeAsDuration() throws {
        let host = try FakeHost()
        try host.write("proc/uptime", "93784.4 1.0\n")
        let definition = SensorDefinition(name: "uptime", source: .proc(.uptime, interface: nil), valueType: .duration, decimals: 0)
        #expect(try sample(definition, on: host) == .duration("P1DT2H3M4S"))
    }

    @Test func noSwapIsZeroPercent() throws {
        let host = try FakeHost()
        try host.write("proc/meminfo", "MemTotal: 100 kB\nMemAvailable: 50 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n")
        #expect(try proc(.swapUsedPercent, host) == 0)
    }

    @Test(arguments: [
        ("proc/loadavg", "0.52 0.26\n", ProcMetric.load1, "unexpected content"),
        ("proc/loadavg", "x y z 1/2 3\n", .load5, "unexpected content"),
        ("proc/meminfo", "MemFree: 10 kB\n", .memoryAvailable, "no MemAvailable line"),
        ("proc/meminfo", "MemTotal: 0 kB\nMemAvailable: 0 kB\n", .memoryUsedPercent, "unexpected content"),
        ("proc/uptime", "soon\n", .uptime, "unexpected content"),
        ("proc/net/dev", "h1\nh2\n  eth0 1 2 3\n", .networkReceived, "unexpected content"),
        ("proc/net/dev", "h1\nh2\n  eth0: 1 2 3\n", .networkReceived, "unexpected content"),
    ])
    func garbage(file: String, content: String, metric: ProcMetric, message: String) throws {
        let host = try FakeHost()
        try host.write(file, content)
        let error = failure(SensorDefinition(name: "p", source: .proc(metric, interface: nil)), on: host)
        #expect(error?.message == message)
    }

    @Test func missingProcFile() throws {
        let host = try FakeHost()
        let error = try #require(failure(SensorDefinition(name: "p", source: .proc(.load1, interface: nil)), on: host))
        #expect(error.code == ENOENT)
        #expect(error.description.contains("/proc/loadavg: No such file or directory"))
    }

    @Test func filesystemOnARealDirectory() throws {
        let host = try FakeHost()
        func fs(_ metric: FilesystemMetric) throws(DeviceError) -> Double {
            try sample(SensorDefinition(name: "fs", source: .filesystem(path: host.root, metric: metric)), on: host).double ?? -1
        }
        var reference = statvfs()
        #expect(statvfs(host.root, &reference) == 0)
        let unit = Double(reference.f_frsize)
        #expect(try fs(.totalBytes) == Double(reference.f_blocks) * unit)
        let used = try fs(.usedPercent)
        #expect(used > 0 && used < 100)
        #expect(try fs(.availableBytes) > 0)
        #expect(try fs(.usedBytes) <= fs(.totalBytes))
        let inodes = try fs(.inodesUsedPercent)
        #expect(inodes >= 0 && inodes <= 100)

        let missing = failure(SensorDefinition(name: "fs", source: .filesystem(path: host.root + "/nowhere", metric: .usedPercent)), on: host)
        #expect(missing?.code == ENOENT)
    }

    @Test func identityFromDeviceTreeThenMachineID() throws {
        let host = try FakeHost()
        try host.write("etc/machine-id", "3d1219c7c4c5404aaa1f6d2a48adfda4\n")
        try host.write("proc/sys/kernel/hostname", "pi-kitchen\n")
        try host.write("proc/sys/kernel/osrelease", "6.6.31+rpt-rpi-v8\n")
        func item(_ item: SystemItem) throws(DeviceError) -> FieldValue {
            try sample(SensorDefinition(name: item.rawValue, source: .system(item), valueType: .string), on: host)
        }
        #expect(try item(.serialNumber) == .string("3d1219c7c4c5404aaa1f6d2a48adfda4"))
        #expect(try item(.machineID) == .string("3d1219c7c4c5404aaa1f6d2a48adfda4"))
        #expect(try item(.hostname) == .string("pi-kitchen"))
        #expect(try item(.kernel) == .string("6.6.31+rpt-rpi-v8"))
        #expect(try item(.agentVersion) == .string(KingletVersion.string))
        // Without a device tree or DMI, the model is the machine type.
        if case .string(let machine) = try item(.model) { #expect(!machine.isEmpty) } else { Issue.record("model is not a string") }

        // Device-tree strings end with a NUL.
        try host.write("sys/firmware/devicetree/base/serial-number", "10000000abcdef01\0")
        try host.write("sys/firmware/devicetree/base/model", "Raspberry Pi 4 Model B Rev 1.4\0")
        #expect(try item(.serialNumber) == .string("10000000abcdef01"))
        #expect(try item(.model) == .string("Raspberry Pi 4 Model B Rev 1.4"))
    }

    @Test func identityWithNothingToRead() throws {
        let host = try FakeHost()
        let error = failure(SensorDefinition(name: "serial", source: .system(.serialNumber), valueType: .string), on: host)
        #expect(error?.code == ENOENT)
        #expect(error?.operation.hasSuffix("/etc/machine-id") == true)
    }
}
