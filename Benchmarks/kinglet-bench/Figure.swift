import Glibc
import Support

/// One measured number with its unit, printed as an aligned line: `xml.parse.throughput  182.4 MB/s`.
struct Figure {
    let name: String
    let value: Double
    let unit: String

    var line: String {
        let padded = name.count < 44 ? name + String(repeating: " ", count: 44 - name.count) : name + " "
        return padded + format(value) + " " + unit
    }

    private func format(_ v: Double) -> String {
        // Three significant decimals are plenty for a benchmark figure.
        let scaled = (v * 1000).rounded() / 1000
        return scaled == scaled.rounded() ? String(Int64(scaled)) : String(scaled)
    }
}

/// Monotonic time and process CPU time, for measuring.
enum Stopwatch {
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func cpuSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Resident anonymous memory of this process (RssAnon from /proc/self/status), in KiB.
    static func rssAnonKiB() -> Double { statusField("RssAnon:") }
    static func vmRSSKiB() -> Double { statusField("VmRSS:") }

    private static func statusField(_ field: String) -> Double {
        guard let text = try? FileIO.readText("/proc/self/status") else { return -1 }
        for line in text.split(separator: "\n") where line.hasPrefix(field) {
            return Double(line.dropFirst(field.count).filter(\.isNumber)) ?? -1
        }
        return -1
    }
}
