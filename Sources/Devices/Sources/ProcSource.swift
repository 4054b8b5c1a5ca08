/// Figures from `/proc`: `loadavg`, `meminfo`, `uptime` and `net/dev`.
struct ProcSource: SensorSource {
    let paths: HostPaths
    let metric: ProcMetric
    let interface: String?
    var mayBlock: Bool { false }

    func read(at time: Duration) throws(DeviceError) -> RawValue {
        switch metric {
        case .load1, .load5, .load15, .processes:
            return .number(try loadAverage())
        case .memoryTotal, .memoryAvailable, .memoryUsed, .memoryUsedPercent, .swapUsedPercent:
            return .number(try memory())
        case .uptime:
            let path = paths.proc + "/uptime"
            let first = try HostFiles.value(path).split(separator: " ").first.map(String.init) ?? ""
            guard let seconds = Double(first) else { throw garbage(path) }
            return .number(seconds)
        case .networkReceived, .networkSent:
            return .number(try network())
        }
    }

    private func garbage(_ path: String) -> DeviceError {
        DeviceError("read \(path)", message: "unexpected content")
    }

    /// `0.52 0.26 0.11 4/90 6146`: three averages, then running/total tasks.
    private func loadAverage() throws(DeviceError) -> Double {
        let path = paths.proc + "/loadavg"
        let fields = try HostFiles.value(path).split(separator: " ")
        guard fields.count >= 4 else { throw garbage(path) }
        let field: Substring
        switch metric {
        case .load1: field = fields[0]
        case .load5: field = fields[1]
        case .load15: field = fields[2]
        default: field = fields[3].split(separator: "/").last ?? ""
        }
        guard let value = Double(field), value >= 0 else { throw garbage(path) }
        return value
    }

    /// `/proc/meminfo` lines such as `MemAvailable:    3456789 kB`; results in bytes or percent.
    private func memory() throws(DeviceError) -> Double {
        let path = paths.proc + "/meminfo"
        var kB: [Substring: Double] = [:]
        for line in try HostFiles.text(path).split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count >= 2, parts[0].hasSuffix(":"), let value = Double(parts[1]) else { continue }
            kB[parts[0].dropLast()] = value
        }
        func field(_ name: Substring) throws(DeviceError) -> Double {
            guard let v = kB[name] else { throw DeviceError("read \(path)", message: "no \(name) line") }
            return v
        }
        switch metric {
        case .memoryTotal: return try field("MemTotal") * 1024
        case .memoryAvailable: return try field("MemAvailable") * 1024
        case .memoryUsed: return (try field("MemTotal") - field("MemAvailable")) * 1024
        case .memoryUsedPercent:
            let total = try field("MemTotal")
            guard total > 0 else { throw garbage(path) }
            return (total - (try field("MemAvailable"))) / total * 100
        default:
            let total = try field("SwapTotal")
            return total > 0 ? (total - (try field("SwapFree"))) / total * 100 : 0
        }
    }

    /// `/proc/net/dev`: two header lines, then `  eth0: rxBytes rxPackets ... txBytes ...`.
    private func network() throws(DeviceError) -> Double {
        let path = paths.proc + "/net/dev"
        var total = 0.0
        var matched = false
        for line in try HostFiles.text(path).split(separator: "\n").dropFirst(2) {
            guard let colon = line.firstIndex(of: ":") else { throw garbage(path) }
            let name = line[..<colon].trimmingSpaces
            let fields = line[line.index(after: colon)...].split(separator: " ")
            guard fields.count >= 16, let rx = Double(fields[0]), let tx = Double(fields[8]) else { throw garbage(path) }
            if let interface { guard name == interface else { continue } } else if name == "lo" { continue }
            matched = true
            total += metric == .networkReceived ? rx : tx
        }
        if let interface, !matched { throw DeviceError("read \(path)", message: "no interface '\(interface)'") }
        return total
    }
}
