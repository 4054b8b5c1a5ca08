import Glibc

/// Writes all of `bytes` to a file descriptor with as few write(2) calls as the kernel allows,
/// retrying EINTR. Used for log lines and user-facing errors, which must not interleave mid-line.
package func writeAll(fd: Int32, _ bytes: [UInt8]) {
    bytes.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }
}

/// Writes a line to stderr: for messages to the person at the terminal. Log lines use `Logger`.
package func printError(_ text: String) {
    writeAll(fd: 2, Array((text.hasSuffix("\n") ? text : text + "\n").utf8))
}
