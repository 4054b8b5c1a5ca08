/// Figures from `/proc`: `loadavg`, `meminfo`, `uptime` and `net/dev`.
struct ProcSource: SensorSource {
    let paths: HostPaths
    let metric: ProcMetric
    let interface: String?
    /// /proc figures come from the kernel's memory, never from a bus.
    var blocking: Blocking { .never }

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
        let wanted: [Substring] =
            switch metric {
            case .swapUsedPercent: ["SwapTotal", "SwapFree"]
            case .memoryTotal: ["MemTotal"]
            case .memoryAvailable: ["MemAvailable"]
            default: ["MemTotal", "MemAvailable"]
            }
        // Only the wanted lines are parsed: meminfo has some fifty.
        var kB = [Double?](repeating: nil, count: wanted.count)
        for line in try HostFiles.text(path).split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":"), let slot = wanted.firstIndex(of: line[..<colon]) else { continue }
            kB[slot] = line[line.index(after: colon)...].split(separator: " ").first.flatMap { Double($0) }
            if !kB.contains(nil) { break }
        }
        for (slot, value) in kB.enumerated() where value == nil {
            throw DeviceError("read \(path)", message: "no \(wanted[slot]) line")
        }
        let v = kB.map { $0! }
        switch metric {
        case .memoryTotal, .memoryAvailable: return v[0] * 1024
        case .memoryUsed: return (v[0] - v[1]) * 1024
        case .memoryUsedPercent:
            guard v[0] > 0 else { throw garbage(path) }
            return (v[0] - v[1]) / v[0] * 100
        default:
            return v[0] > 0 ? (v[0] - v[1]) / v[0] * 100 : 0
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
