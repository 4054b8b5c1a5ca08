import Glibc
import Support

/// A plain TCP peer on a free loopback port that plays the server's side of a script: the test
/// reads what the client sent and writes what a server (or a hostile one) would say. Blocking
/// waits run on threads of their own (`onThread`), never on the concurrency pool.
package final class ScriptedServer: @unchecked Sendable {  // driven by one test task, one call at a time
    private var listener: Int32
    package let port: UInt16
    /// The accepted connection (-1 before `accept`); extensions write to it directly.
    package private(set) var peer: Int32 = -1
    /// What arrived and has not been consumed by `read(until:)` yet.
    private var unread: [UInt8] = []

    package init() throws(TestFailure) {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(listener, pointer, length) == 0 && listen(listener, 4) == 0 && getsockname(listener, pointer, &length) == 0
            }
        }
        guard listener >= 0, bound else {
            if listener >= 0 { close(listener) }
            throw TestFailure("cannot listen on loopback: errno \(errno)")
        }
        self.listener = listener
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit {
        if listener >= 0 { close(listener) }
        if peer >= 0 { close(peer) }
    }

    /// Closes the port, once: tests run in parallel in one process, and a descriptor closed
    /// twice may by then be another test's file (a store's SQLite file fails with SQLITE_IOERR).
    package func stopListening() {
        guard listener >= 0 else { return }
        close(listener)
        listener = -1
    }

    /// Waits for the client to connect; a connection already open is replaced.
    package func accept(timeout: Duration = .seconds(60)) async throws(TestFailure) {
        let listener = self.listener
        let accepted = try await onThread { () throws(TestFailure) -> Int32 in
            var pfd = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, Int32(clamping: timeout.milliseconds)) == 1 else { throw TestFailure("nobody connected") }
            let fd = Glibc.accept(listener, nil, nil)
            guard fd >= 0 else { throw TestFailure("accept failed: errno \(errno)") }
            return fd
        }
        hangUp()
        peer = accepted
        unread.removeAll()
    }

    package func write(_ text: String) {
        _ = text.withCString { Glibc.send(peer, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
    }

    /// Reads until what arrived since the last read contains `marker`, and returns all of it;
    /// or until the peer closes, returning what came. Fails after `timeout`.
    package func read(until marker: String, timeout: Duration = .seconds(60)) async throws(TestFailure) -> String {
        let start = ContinuousClock.now
        while !String(decoding: unread, as: UTF8.self).contains(marker) {
            let remaining = timeout - (ContinuousClock.now - start)
            guard remaining > .zero else { throw TestFailure("timed out waiting for \(marker)") }
            guard let chunk = try await receive(timeout: remaining) else { break }
            unread += chunk
        }
        defer { unread.removeAll() }
        return String(decoding: unread, as: UTF8.self)
    }

    /// Whether the client has closed the connection (read returns end of file) within `timeout`;
    /// what it sends meanwhile is kept for `read`.
    package func waitForClose(timeout: Duration = .seconds(60)) async throws(TestFailure) -> Bool {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < timeout {
            guard let chunk = try await receive(timeout: timeout - (ContinuousClock.now - start)) else { return true }
            unread += chunk
        }
        return false
    }

    /// Closes the connection to the client.
    package func hangUp() {
        if peer >= 0 { close(peer) }
        peer = -1
    }

    /// One read; nil at end of file.
    private func receive(timeout: Duration) async throws(TestFailure) -> [UInt8]? {
        let peer = self.peer
        return try await onThread { () throws(TestFailure) -> [UInt8]? in
            var pfd = pollfd(fd: peer, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, Int32(clamping: max(1, timeout.milliseconds))) == 1 else { throw TestFailure("nothing arrived") }
            var buffer = [UInt8](repeating: 0, count: 65536)
            let n = Glibc.read(peer, &buffer, buffer.count)
            return n > 0 ? Array(buffer[0..<n]) : nil
        }
    }
}
