import Foundation
import Glibc
import Support

/// A CA and a server certificate for `name`, made at test time with the openssl CLI, in a
/// temporary directory removed when the value goes away.
package final class TestCertificates: Sendable {
    package let directory: String
    package var caFile: String { directory + "/ca.pem" }
    package var certificateFile: String { directory + "/server.pem" }
    package var keyFile: String { directory + "/server.key" }

    package init(for name: String) throws(TestFailure) {
        directory = NSTemporaryDirectory() + "kinglet-certificates-" + UUID().uuidString
        let extensions = """
            [req]
            distinguished_name = dn
            [dn]
            [ca]
            basicConstraints = critical,CA:TRUE
            keyUsage = critical,keyCertSign,cRLSign
            [server]
            basicConstraints = CA:FALSE
            keyUsage = critical,digitalSignature
            extendedKeyUsage = serverAuth
            subjectAltName = DNS:\(name)

            """
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try extensions.write(toFile: directory + "/x509.cnf", atomically: true, encoding: .utf8)
        } catch {
            throw TestFailure("cannot write in \(directory): \(error)")
        }
        for key in ["ca", "server"] {
            try openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "\(key).key"])
        }
        try openssl([
            "req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=Kinglet Test CA", "-days", "2", "-config", "x509.cnf",
            "-extensions", "ca", "-out", "ca.pem",
        ])
        try openssl(["req", "-new", "-key", "server.key", "-subj", "/CN=\(name)", "-config", "x509.cnf", "-out", "server.csr"])
        try openssl([
            "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "2", "-days", "2",
            "-extfile", "x509.cnf", "-extensions", "server", "-out", "server.pem",
        ])
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// Makes them on a thread of its own: openssl runs as a child process that is waited for.
    package static func make(for name: String) async throws(TestFailure) -> TestCertificates {
        try await onThread { () throws(TestFailure) -> TestCertificates in try TestCertificates(for: name) }
    }

    private func openssl(_ arguments: [String]) throws(TestFailure) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw TestFailure("cannot run openssl: \(error)")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure("openssl \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
        }
    }
}

/// `openssl s_server -quiet` on a free loopback port: a TLS peer whose cleartext the test
/// reads (what the client sent) and writes (what the server says), for a client that only
/// speaks TLS, such as the session. One client at a time; when it goes, the next one is
/// accepted. Killed when the value goes away.
package final class TLSScriptedServer: @unchecked Sendable {  // driven by one test task, one call at a time
    package let port: UInt16
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    /// What arrived and has not been returned by `read(until:)` yet.
    private var unread: [UInt8] = []

    package init(_ certificates: TestCertificates) throws(TestFailure) {
        // Port 0: s_server takes a free port itself (a port chosen here and released could be
        // taken by another test before s_server binds it); its listening socket says which.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = [
            "s_server", "-accept", "127.0.0.1:0", "-cert", certificates.certificateFile, "-key", certificates.keyFile,
            "-quiet", "-naccept", "16",
        ]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw TestFailure("cannot run openssl s_server: \(error)")
        }
        // The same limit as `eventually`: s_server listens within milliseconds on a quiet
        // machine, and only a hang should reach it on a loaded one.
        let deadline = ContinuousClock.now + .seconds(60)
        var found = Self.listeningPort(of: process.processIdentifier)
        while found == nil {
            guard process.isRunning else {
                throw TestFailure("openssl s_server exited with status \(process.terminationStatus) before listening")
            }
            guard ContinuousClock.now < deadline else {
                Self.kill(process)
                throw TestFailure("openssl s_server (pid \(process.processIdentifier)) does not listen after 60 s")
            }
            usleep(5_000)
            found = Self.listeningPort(of: process.processIdentifier)
        }
        port = found!
    }

    deinit {
        Self.kill(process)
    }

    /// SIGKILL and wait. Not SIGTERM (`terminate()`): Foundation's `Process` leaves the child
    /// the signal mask of the thread that started it, and the threads tests run on (Dispatch's
    /// workers and the threads they start) block every asynchronous signal, so s_server starts
    /// with SIGTERM blocked and would never end.
    /// The wait is bounded: Foundation learns of the exit from a Dispatch source, and on a
    /// machine whose threads are all busy that came so late once that `waitUntilExit()` hung a
    /// test run for 10 minutes. A SIGKILLed child is gone either way; only its reaping waits.
    private static func kill(_ process: Process) {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning && ContinuousClock.now < deadline { usleep(10_000) }
    }

    /// Starts the server on a thread of its own (it waits for s_server to listen).
    package static func start(_ certificates: TestCertificates) async throws(TestFailure) -> TLSScriptedServer {
        try await onThread { () throws(TestFailure) -> TLSScriptedServer in try TLSScriptedServer(certificates) }
    }

    /// Sends `text` to the client.
    package func write(_ text: String) {
        input.fileHandleForWriting.write(Data(text.utf8))
    }

    /// Reads until what arrived contains `marker`; returns everything up to the end of the
    /// marker's first occurrence and keeps the rest for the next read. Fails after `timeout`.
    package func read(until marker: String, timeout: Duration = .seconds(60)) async throws(TestFailure) -> String {
        let needle = Array(marker.utf8)
        let start = ContinuousClock.now
        while true {
            if let end = Self.end(of: needle, in: unread) {
                defer { unread.removeFirst(end) }
                return String(decoding: unread[..<end], as: UTF8.self)
            }
            let remaining = timeout - (ContinuousClock.now - start)
            guard remaining > .zero else {
                throw TestFailure("timed out waiting for \(marker); got \(String(decoding: unread, as: UTF8.self))")
            }
            let fd = output.fileHandleForReading.fileDescriptor
            let chunk = try await onThread { () throws(TestFailure) -> [UInt8] in
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&pfd, 1, Int32(clamping: max(1, remaining.milliseconds))) == 1 else { return [] }
                var buffer = [UInt8](repeating: 0, count: 65536)
                let n = Glibc.read(fd, &buffer, buffer.count)
                guard n > 0 else { throw TestFailure("s_server ended") }
                return Array(buffer[0..<n])
            }
            unread += chunk
        }
    }

    private static func end(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start + needle.count
        }
        return nil
    }

    /// The loopback port a process listens on: its sockets (/proc/PID/fd) matched against
    /// the listening ones in /proc/net/tcp (state 0A), without connecting (a probe would be
    /// taken for the client).
    private static func listeningPort(of pid: Int32) -> UInt16? {
        guard let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else { return nil }
        let inodes = Set(descriptors.compactMap { fd -> Substring? in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)"),
                target.hasPrefix("socket:[")
            else { return nil }
            return target.dropFirst("socket:[".count).dropLast()
        })
        // Read to the end: String(contentsOfFile:) stops after the first page of a /proc file
        // (4 KiB, about 26 sockets), and on a busy machine the listener is further down.
        guard !inodes.isEmpty, let file = FileHandle(forReadingAtPath: "/proc/net/tcp"),
            let table = String(data: file.readDataToEndOfFile(), encoding: .utf8)
        else { return nil }
        for line in table.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count > 9, fields[3] == "0A", inodes.contains(fields[9]),
                let colon = fields[1].firstIndex(of: ":")
            else { continue }
            return UInt16(fields[1][fields[1].index(after: colon)...], radix: 16)
        }
        return nil
    }
}
