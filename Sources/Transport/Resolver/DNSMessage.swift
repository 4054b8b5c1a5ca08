/// Just enough of RFC 1035 to read SRV answers: the header, skipping questions, and the SRV
/// RDATA with (possibly compressed) names. Bounds are checked everywhere: the bytes come from
/// the network.
package enum DNSMessage {
    static let typeSRV: UInt16 = 33

    package static func srvRecords(in message: [UInt8]) -> [SRVRecord]? {
        var reader = Reader(bytes: message)
        guard message.count >= 12,
            let questions = reader.u16(at: 4), let answers = reader.u16(at: 6)
        else { return nil }
        reader.offset = 12
        for _ in 0..<questions {
            guard reader.skipName(), reader.skip(4) else { return nil }
        }
        var records: [SRVRecord] = []
        for _ in 0..<answers {
            guard reader.skipName(), let type = reader.readU16(), reader.skip(6),
                let length = reader.readU16()
            else { return nil }
            let end = reader.offset + Int(length)
            guard end <= message.count else { return nil }
            if type == typeSRV {
                guard let priority = reader.readU16(), let weight = reader.readU16(), let port = reader.readU16(),
                    let target = reader.name(at: reader.offset)
                else { return nil }
                records.append(SRVRecord(priority: priority, weight: weight, port: port, target: target))
            }
            reader.offset = end
        }
        return records
    }

    struct Reader {
        let bytes: [UInt8]
        var offset = 0

        func u16(at index: Int) -> UInt16? {
            guard index + 2 <= bytes.count else { return nil }
            return UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
        }

        mutating func readU16() -> UInt16? {
            guard let v = u16(at: offset) else { return nil }
            offset += 2
            return v
        }

        mutating func skip(_ n: Int) -> Bool {
            guard offset + n <= bytes.count else { return false }
            offset += n
            return true
        }

        /// Skips a name at the current offset (labels ending in a zero byte or a pointer).
        mutating func skipName() -> Bool {
            while offset < bytes.count {
                let length = Int(bytes[offset])
                if length == 0 { offset += 1; return true }
                if length & 0xC0 == 0xC0 { return skip(2) }
                guard length < 64, skip(length + 1) else { return false }
            }
            return false
        }

        /// Reads a name starting at `start`, following compression pointers (with a hop limit,
        /// so a pointer loop cannot hang the agent). "." for the root name.
        func name(at start: Int) -> String? {
            var labels: [String] = []
            var index = start
            var hops = 0
            while index < bytes.count {
                let length = Int(bytes[index])
                if length == 0 {
                    return labels.isEmpty ? "." : labels.joined(separator: ".")
                }
                if length & 0xC0 == 0xC0 {
                    guard let pointer = u16(at: index), hops < 16 else { return nil }
                    hops += 1
                    index = Int(pointer & 0x3FFF)
                    continue
                }
                guard length < 64, index + 1 + length <= bytes.count else { return nil }
                labels.append(String(decoding: bytes[(index + 1)...(index + length)], as: UTF8.self))
                index += 1 + length
            }
            return nil
        }
    }
}
