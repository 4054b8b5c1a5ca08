/// A file's content, cut down by the sensor's extraction: for status files that are not plain
/// attributes (`vcgencmd`-style `key=value`, JSON written by another daemon).
///
/// Read on a thread of its own with a deadline (`Blocking.mayHang`): the path is the profile's
/// to choose, and a sysfs attribute behind a wedged bus can hang a read. Only regular files are
/// read (a FIFO would wait for a writer), and they are opened without blocking.
struct FileSource: SensorSource {
    let path: String
    let extraction: Extraction
    var blocking: Blocking { .mayHang }

    func read(at time: Duration) throws(DeviceError) -> RawValue {
        try extraction.apply(to: try HostFiles.text(path), from: path)
    }
}

extension Extraction {
    /// Picks the value out of `text`: the JSON path, else the pattern, else the whole text.
    /// `origin` names the file or command in messages.
    package func apply(to text: String, from origin: String) throws(DeviceError) -> RawValue {
        let picked: RawValue
        if let jsonPath {
            let document: JSONValue
            do {
                document = try JSONValue.parse(text)
            } catch {
                throw DeviceError("parse \(origin)", message: "not JSON: \(error.message)")
            }
            switch jsonPath.select(in: document) {
            case .number(let n): picked = .number(n)
            case .string(let s): picked = .text(s)
            case .boolean(let b): picked = .boolean(b)
            case .null: throw DeviceError("parse \(origin)", message: "\(jsonPath) is null")
            case .array, .object: throw DeviceError("parse \(origin)", message: "\(jsonPath) is not a single value")
            case nil: throw DeviceError("parse \(origin)", message: "nothing at \(jsonPath)")
            }
        } else if let pattern {
            guard let found = pattern.firstCapture(in: text) else {
                throw DeviceError("parse \(origin)", message: "pattern \(pattern) did not match")
            }
            picked = .text(found)
        } else {
            picked = .text(text.trimmingSpaces)
        }
        guard radix != 10, case .text(let t) = picked else { return picked }
        var digits = Substring(t.trimmingSpaces)
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
        guard let n = UInt64(digits, radix: radix) else {
            throw DeviceError("parse \(origin)", message: "'\(SensorDefinition.clip(t))' is not a base-\(radix) number")
        }
        return .number(Double(n))
    }
}
