package import Readings

/// Readings as an aligned text table, for `kinglet read`:
///
///     NAME             VALUE     UNIT  TYPE       NOTE
///     temperature      21.53     °C    momentary
///     relay            false           status     writable
///     cpu_temperature  -               momentary  error: read /sys/…: No such file or directory
package enum ReadingTable {
    package static func render(_ readings: [Reading]) -> String {
        var rows = [["NAME", "VALUE", "UNIT", "TYPE", "NOTE"]]
        for r in readings {
            var note: [String] = []
            if r.writable { note.append("writable") }
            if let reason = r.errorText { note.append(r.qos.contains(.error) ? "error: " + reason : reason) }
            rows.append([r.name, r.value.map { clip($0.text) } ?? "-", r.unit, r.fieldType.rawValue, note.joined(separator: ", ")])
        }
        var widths = [Int](repeating: 0, count: 5)
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        var out = ""
        for row in rows {
            var line = ""
            for (i, cell) in row.enumerated() {
                line += i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count + 2)
            }
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
        }
        return out
    }

    /// Long strings (a kernel version, an error) are cut so the table stays readable.
    private static func clip(_ text: String) -> String {
        text.count <= 48 ? text : String(text.prefix(47)) + "…"
    }
}
