import Glibc

/// Small whole-file reads and writes without Foundation: sysfs attributes, /proc files,
/// password files, PEM files.
package enum FileIO {
    /// Reads a whole file, up to `limit` bytes (sysfs and /proc files report size 0, so the
    /// file is read until EOF rather than by its stat size).
    /// Only regular files are read, opened without blocking: a FIFO (or a device) named by
    /// mistake fails at once with `EINVAL` instead of waiting for ever for a writer.
    package static func read(_ path: String, limit: Int = 16 << 20) throws(SystemError) -> [UInt8] {
        let fd = try systemCall("open \(path)") { open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK) }
        defer { close(fd) }
        var status = stat()
        if fstat(fd, &status) == 0, let kind = notRegular(status.st_mode) {
            throw SystemError("read \(path) (\(kind), not a regular file)", code: EINVAL)
        }
        var out = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while out.count < limit {
            let want = min(chunk.count, limit - out.count)
            let n = try systemCall("read \(path)") { chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, want) } }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    /// Reads a whole file as UTF-8 text.
    package static func readText(_ path: String, limit: Int = 16 << 20) throws(SystemError) -> String {
        String(decoding: try read(path, limit: limit), as: UTF8.self)
    }

    /// Writes `bytes` to an existing file (a sysfs attribute, a GPIO value) without creating it.
    package static func writeExisting(_ path: String, _ bytes: [UInt8]) throws(SystemError) {
        let fd = try systemCall("open \(path)") { open(path, O_WRONLY | O_CLOEXEC) }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = try systemCall("write \(path)") {
                bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            }
            offset += n
        }
    }

    /// The file's permission bits, or nil when it cannot be stat'ed.
    package static func mode(_ path: String) -> UInt32? {
        var st = stat()
        return stat(path, &st) == 0 ? st.st_mode & 0o7777 : nil
    }

    /// What is wrong with reading `path` as a file: "a FIFO, not a regular file"; nil for a
    /// regular file, a directory (whose read fails at once), or nothing at `path` (yet).
    package static func regularFileProblem(_ path: String) -> String? {
        var status = stat()
        guard stat(path, &status) == 0, let kind = notRegular(status.st_mode) else { return nil }
        return "\(kind), not a regular file"
    }

    private static func notRegular(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG, S_IFDIR: nil  // a directory fails at once with EISDIR when read
        case S_IFIFO: "a FIFO"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        default: "not a file"
        }
    }

    package static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }
}
