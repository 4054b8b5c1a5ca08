import Readings
import Store
import Support
import XEPs
import XMPPCore

/// How the console prints: aligned tables for people, JSON for programs (one document for
/// `list`, `read` and `set`; one object per line for `watch` and `export`).
enum ConsoleOutput {
    static func json(_ text: String?) -> String { text.map(ExportFormat.jsonString) ?? "null" }

    // MARK: list

    static func deviceTable(_ devices: [DeviceRecord]) -> String {
        let rows = devices.map { d in
            [d.jid.description, d.name ?? "-", d.online ? "yes" : "no", d.show ?? "-", d.status ?? "-", d.version ?? "-",
             d.model ?? "-", d.lastChange.xsDateTime]
        }
        return table(["DEVICE", "NAME", "ONLINE", "SHOW", "STATUS", "VERSION", "MODEL", "LAST CHANGE"], rows)
            + "\(devices.count) device\(devices.count == 1 ? "" : "s"), \(devices.filter(\.online).count) online\n"
    }

    static func deviceJSON(_ d: DeviceRecord) -> String {
        "{\"jid\":\(json(d.jid.description)),\"name\":\(json(d.name)),\"online\":\(d.online),\"show\":\(json(d.show))"
            + ",\"status\":\(json(d.status)),\"version\":\(json(d.version)),\"model\":\(json(d.model))"
            + ",\"nick\":\(json(d.nick)),\"last_change\":\(json(d.lastChange.xsDateTime))}"
    }

    static func devicesJSON(_ devices: [DeviceRecord]) -> String {
        "[" + devices.map(deviceJSON).joined(separator: ",\n ") + "]\n"
    }

    // MARK: read and set

    static func readingText(_ reading: Reading) -> String {
        guard let value = reading.value else { return "\(reading.name)=?" }
        return "\(reading.name)=\(ExportFormat.valueText(value))" + (reading.unit.isEmpty ? "" : " \(reading.unit)")
    }

    static func readoutTable(_ results: [ReadoutResult]) -> String {
        let rows = results.map { r in
            [r.jid.description, r.outcome.word,
             (r.readings.map(readingText) + r.errors.map { "error: \($0)" } + [r.outcome.detail].compactMap { $0 }).joined(separator: "  ")]
        }
        return table(["DEVICE", "RESULT", "READINGS"], rows) + summary(results.map(\.outcome)) + latencySummary(results)
    }

    /// `latency p50 12 ms, p99 85 ms, max 120 ms` over the devices that answered: how long one
    /// device's readout took, from request to last answer.
    static func latencySummary(_ results: [ReadoutResult]) -> String {
        let sorted = results.filter { $0.outcome == .ok }.compactMap(\.latency).sorted()
        guard let last = sorted.last else { return "" }
        func percentile(_ p: Int) -> String { milliseconds(sorted[min(sorted.count - 1, sorted.count * p / 100)]) }
        return "latency p50 \(percentile(50)) ms, p99 \(percentile(99)) ms, max \(milliseconds(last)) ms\n"
    }

    static func milliseconds(_ duration: Duration) -> String {
        let tenths = duration.milliseconds * 10 + Int64(duration.components.attoseconds / 100_000_000_000_000 % 10)
        return "\(tenths / 10).\(tenths % 10)"
    }

    static func readoutJSON(_ results: [ReadoutResult]) -> String {
        let objects = results.map { r in
            let fields = r.readings.map { reading in
                "{\"name\":\(json(reading.name)),\"value\":\(reading.value.map(ExportFormat.jsonValue) ?? "null")"
                    + ",\"unit\":\(json(reading.unit)),\"timestamp\":\(json(reading.timestamp.xsDateTime))}"
            }
            return "{\"jid\":\(json(r.jid.description)),\"result\":\(json(r.outcome.word)),\"error\":\(json(r.outcome.detail))"
                + ",\"ms\":\(r.latency.map(milliseconds) ?? "null")"
                + ",\"fields\":[" + fields.joined(separator: ",") + "],\"failures\":[" + r.errors.map(ExportFormat.jsonString).joined(separator: ",") + "]}"
        }
        return "[" + objects.joined(separator: ",\n ") + "]\n"
    }

    static func setTable(_ results: [(JID, DeviceOutcome)]) -> String {
        table(["DEVICE", "RESULT", "DETAIL"], results.map { [$0.0.description, $0.1.word, $0.1.detail ?? ""] }) + summary(results.map(\.1))
    }

    static func setJSON(_ results: [(JID, DeviceOutcome)]) -> String {
        "[" + results.map { "{\"jid\":\(json($0.0.description)),\"result\":\(json($0.1.word)),\"error\":\(json($0.1.detail))}" }
            .joined(separator: ",\n ") + "]\n"
    }

    private static func summary(_ outcomes: [DeviceOutcome]) -> String {
        let ok = outcomes.filter { $0 == .ok }.count
        return "\(ok) of \(outcomes.count) ok" + (ok == outcomes.count ? "" : ", \(outcomes.count - ok) not") + "\n"
    }

    // MARK: export

    /// One exported reading: device, sequence (when the batch says which), batch, name, value,
    /// unit, timestamp, and whether it came live or delayed.
    static func exportLine(_ device: JID, _ batch: PublishedBatch, index: Int, format: ExportFormat) -> String {
        let reading = batch.readings[index]
        let complete = UInt64(batch.readings.count) == batch.last - batch.first + 1
        let sequence = complete ? String(batch.first + UInt64(index)) : ""
        let delivery = batch.delay == nil ? "live" : "delayed"
        switch format {
        case .csv:
            return [device.description, sequence, String(batch.first), reading.name, reading.value.map(ExportFormat.valueText) ?? "",
                    reading.unit, reading.timestamp.xsDateTime, delivery].map(ExportFormat.csvField).joined(separator: ",") + "\n"
        case .jsonl:
            return "{\"device\":\(json(device.description)),\"sequence\":\(sequence.isEmpty ? "null" : sequence),\"batch\":\(batch.first)"
                + ",\"name\":\(json(reading.name)),\"value\":\(reading.value.map(ExportFormat.jsonValue) ?? "null")"
                + ",\"unit\":\(json(reading.unit)),\"timestamp\":\(json(reading.timestamp.xsDateTime)),\"delivery\":\"\(delivery)\"}\n"
        }
    }

    static let exportHeader = "device,sequence,batch,name,value,unit,timestamp,delivery\n"

    // MARK: tables

    /// Columns padded to their widest cell (by characters), two spaces apart.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var text = ""
            for (i, cell) in cells.enumerated() {
                text += i == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count + 2)
            }
            return text + "\n"
        }
        return ([header] + rows).map(line).joined()
    }
}
