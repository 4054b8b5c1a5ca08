import Glibc
import Support

/// Reads of small kernel files (sysfs attributes, /proc entries), with failures turned into
/// `DeviceError`s that name the file. Each notes its path first (`OperationTrace`), so a read
/// that never returns is reported by the file it hangs on.
enum HostFiles {
    /// The whole file as text, at most 64 KiB: attributes are a few bytes, /proc files a few KiB.
    static func text(_ path: String) throws(DeviceError) -> String {
        OperationTrace.note("read", path)
        do {
            return try FileIO.readText(path, limit: 64 << 10)
        } catch {
            if let problem = FileIO.regularFileProblem(path) { throw DeviceError("read \(path)", message: problem) }
            throw DeviceError(SystemError("read \(path)", code: error.code))
        }
    }

    /// The file as one trimmed line of text; an empty file is an error.
    static func value(_ path: String) throws(DeviceError) -> String {
        let t = try text(path).trimmingSpaces
        guard !t.isEmpty else { throw DeviceError("read \(path)", message: "empty file") }
        return t
    }

    /// The file's content as a number (an integer attribute such as `temp` or `in_temp_raw`, or a
    /// decimal such as an IIO scale).
    static func number(_ path: String) throws(DeviceError) -> Double {
        let t = try value(path)
        guard let d = Double(t), d.isFinite else {
            throw DeviceError("read \(path)", message: "'\(SensorDefinition.clip(t))' is not a number")
        }
        return d
    }

    /// Writes `text` to an existing attribute, never creating a file. Truncates as a shell's
    /// `echo 1 > brightness` does: sysfs ignores it, a regular file (a fake tree) needs it.
    static func write(_ path: String, _ text: String) throws(DeviceError) {
        let operation = "write \(path)"
        OperationTrace.note("write", path)
        let fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
        guard fd >= 0 else { throw DeviceError(SystemError(operation)) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            // sysfs reports a rejected value (EINVAL for `brightness=abc`) from write(2).
            guard n > 0 else { throw DeviceError(SystemError(operation)) }
            offset += n
        }
    }

    static func exists(_ path: String) -> Bool {
        OperationTrace.note("stat", path)
        return FileIO.exists(path)
    }

    /// The names in a directory, without `.` and `..`, in natural order (`zone2` before `zone10`).
    static func list(_ path: String) throws(DeviceError) -> [String] {
        OperationTrace.note("list", path)
        guard let dir = opendir(path) else { throw DeviceError(SystemError("list \(path)")) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted(by: naturalOrder)
    }

    /// Compares names so that trailing numbers sort numerically.
    static func naturalOrder(_ a: String, _ b: String) -> Bool {
        let (aStem, aNumber) = splitNumber(a)
        let (bStem, bNumber) = splitNumber(b)
        if aStem != bStem { return a < b }
        return (aNumber ?? -1) < (bNumber ?? -1)
    }

    private static func splitNumber(_ s: String) -> (Substring, Int?) {
        let digits = s.reversed().prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count < 10 else { return (Substring(s), nil) }
        return (s.dropLast(digits.count), Int(String(digits.reversed())))
    }
}
