import XMPPCore

/// What an export wrote, and what it could not: the gaps in a device's sequence numbers that
/// its node no longer held when the console fetched it, each reported once. A pure value.
struct ExportTally: Sendable {
    private(set) var readings = 0
    private var devices: Set<JID> = []
    private(set) var lost: [JID: [ClosedRange<UInt64>]] = [:]

    /// The summary names at most this many devices with lost readings.
    static let devicesNamed = 10

    mutating func wrote(_ count: Int, for device: JID) {
        readings += count
        devices.insert(device)
    }

    /// Takes the gaps `device`'s node can no longer fill; returns those not reported before.
    mutating func lose(_ gaps: [ClosedRange<UInt64>], at device: JID) -> [ClosedRange<UInt64>] {
        let new = gaps.filter { !(lost[device]?.contains($0) ?? false) }
        if !new.isEmpty { lost[device, default: []] += new }
        return new
    }

    var lostReadings: Int { lost.values.joined().reduce(0) { $0 + $1.count } }

    /// `warning: sensor-4@example.org: readings 120-135 are lost: ...`, for stderr.
    static func warning(_ device: JID, _ gap: ClosedRange<UInt64>) -> String {
        let what = gap.count == 1 ? "reading \(gap.lowerBound) is" : "readings \(text(gap)) are"
        return "warning: \(device): \(what) lost: its node no longer holds them (the device's [publish] max_items)"
    }

    /// `kinglet fleet export: 1200 readings from 10 devices; 16 lost in 1 gap their nodes no
    /// longer held (sensor-4@example.org 120-135)`.
    var summary: String {
        var text = "kinglet fleet export: \(readings) reading\(readings == 1 ? "" : "s") from \(devices.count) device\(devices.count == 1 ? "" : "s")"
        guard !lost.isEmpty else { return text + "; no gaps" }
        let gaps = lost.values.reduce(0) { $0 + $1.count }
        let named = lost.sorted { $0.key.description < $1.key.description }.prefix(Self.devicesNamed)
            .map { "\($0.key) " + $0.value.sorted { $0.lowerBound < $1.lowerBound }.map(Self.text).joined(separator: ", ") }
        let more = lost.count > Self.devicesNamed ? "; \(lost.count - Self.devicesNamed) more devices" : ""
        text += "; \(lostReadings) lost in \(gaps) gap\(gaps == 1 ? "" : "s") their nodes no longer held ("
        return text + named.joined(separator: "; ") + more + ")"
    }

    private static func text(_ gap: ClosedRange<UInt64>) -> String {
        gap.count == 1 ? String(gap.lowerBound) : "\(gap.lowerBound)-\(gap.upperBound)"
    }
}
