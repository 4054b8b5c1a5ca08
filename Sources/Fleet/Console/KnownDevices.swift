import Glibc
import Support
import XMPPCore

/// `[fleet] cache`: the devices the console has seen, kept between runs, so that one that is
/// offline now (whose server answers a presence probe without caps) is still listed, as
/// offline, rather than silently missing; and the caps they had verified, so a device is known
/// by its `ver` without asking again. One tab-separated line per device: full JID, caps `ver`,
/// name, version, model, last change.
struct KnownDevices: Sendable {
    let path: String

    func load() -> [DeviceRecord] {
        guard let text = try? FileIO.readText(path, limit: 64 << 20) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard cells.count == 6, let jid = try? JID(cells[0]), jid.resource != nil,
                let time = Timestamp(xsDateTime: cells[5])
            else { return nil }
            func text(_ cell: String) -> String? { cell.isEmpty ? nil : cell }
            return DeviceRecord(
                jid: jid, name: text(cells[2]), online: false, version: text(cells[3]), model: text(cells[4]), lastChange: time,
                ver: text(cells[1]))
        }
    }

    /// Writes the list to a temporary file and renames it over the cache: a crash leaves the old one.
    func save(_ devices: [DeviceRecord]) -> Bool {
        func cell(_ text: String?) -> String {
            String((text ?? "").map { $0 == "\t" || $0 == "\n" || $0 == "\r" ? " " : $0 })
        }
        let text = devices.map { d in
            [d.jid.description, cell(d.ver), cell(d.name), cell(d.version), cell(d.model), d.lastChange.xsDateTime].joined(separator: "\t") + "\n"
        }.joined()
        let temporary = path + ".new"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            guard n > 0 else { break }
            offset += n
        }
        close(fd)
        return offset == bytes.count && rename(temporary, path) == 0
    }
}
