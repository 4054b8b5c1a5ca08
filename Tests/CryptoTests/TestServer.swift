import Foundation
import Glibc

/// `openssl s_server -rev` (it sends every line back reversed) on a free loopback port, as a
/// child process that is killed when the test ends.
final class TestServer {
    private let process = Process()
    private let output = Pipe()
    private var collected = [UInt8]()
    private(set) var port: UInt16 = 0

    init(_ fixture: TLSFixture, certificate: String? = nil, extraArguments: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = [
            "s_server", "-accept", "127.0.0.1:0", "-cert", certificate ?? fixture.serverCertificate, "-key", fixture.serverKey,
            "-rev", "-naccept", "1",
        ] + extraArguments
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Deadline()
        // s_server prints `ACCEPT 127.0.0.1:PORT` once it listens (port 0 picks a free one).
        var found: UInt16?
        while found == nil {
            try readMore(deadline: deadline, "s_server to listen")
            let text = String(decoding: collected, as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("ACCEPT 127.0.0.1:") }) {
                found = UInt16(line.dropFirst("ACCEPT 127.0.0.1:".count).trimmingCharacters(in: .whitespaces))
            }
        }
        port = found!
    }

    deinit {
        // SIGKILL: the child has SIGTERM blocked (Foundation's `Process` passes on the mask of
        // the starting thread, and the threads tests run on block it); SIGTERM would leave
        // this waiting for ever.
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Stops the server process (SIGSTOP): it reads nothing until `resume`, so our writes back up.
    func suspend() { _ = process.suspend() }
    func resume() { _ = process.resume() }

    /// Waits until the server's output contains `text` (it logs the handshake and the peer's
    /// certificate subject), or the deadline passes.
    func waitForOutput(containing text: String, deadline: Deadline = Deadline()) throws {
        while !String(decoding: collected, as: UTF8.self).contains(text) {
            try readMore(deadline: deadline, "s_server to print '\(text)'")
        }
    }

    private func readMore(deadline: Deadline, _ what: String) throws {
        let fd = output.fileHandleForReading.fileDescriptor
        try waitFor(fd, POLLIN, deadline: deadline, what)
        var chunk = [UInt8](repeating: 0, count: 4096)
        let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else {
            throw FixtureError("s_server ended while waiting for \(what): \(String(decoding: collected, as: UTF8.self))")
        }
        collected += chunk[0..<n]
    }

    /// A connected, non-blocking TCP socket to the server.
    func connectSocket() throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw FixtureError("socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else {
            close(fd)
            throw FixtureError("connect to port \(port): errno \(errno)")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        return fd
    }
}
