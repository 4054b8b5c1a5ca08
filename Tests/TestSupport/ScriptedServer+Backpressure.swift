import Glibc
import Support

extension ScriptedServer {
    /// Writes `chunk` again and again without blocking until the socket refuses more for a while
    /// (the client stopped reading and every buffer on the way is full); the bytes written, or
    /// nil if `limit` bytes went through (the client kept reading). A partial write is finished
    /// before the next chunk starts, so the stream stays well-formed.
    package func fillUntilRefused(_ chunk: [UInt8], limit: Int = 256 << 20) async throws(TestFailure) -> Int? {
        let peer = self.peer
        return try await onThread { () throws(TestFailure) -> Int? in
            var total = 0
            var offset = 0
            while total < limit {
                let n = chunk[offset...].withUnsafeBytes { Glibc.send(peer, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL)) }
                if n < 0 {
                    guard errno == EAGAIN || errno == EWOULDBLOCK else { throw TestFailure("send failed: errno \(errno)") }
                    // The client may still be reading what just arrived: refused means refused for a while.
                    var pfd = pollfd(fd: peer, events: Int16(POLLOUT), revents: 0)
                    if poll(&pfd, 1, 200) == 0 { return total }
                    continue
                }
                total += n
                offset = (offset + n) % chunk.count
            }
            return nil
        }
    }

    /// Whether the socket takes more writes within `timeout` (the client reads again).
    package func becomesWritable(timeout: Duration = .seconds(60)) async throws(TestFailure) -> Bool {
        let peer = self.peer
        return try await onThread { () throws(TestFailure) -> Bool in
            var pfd = pollfd(fd: peer, events: Int16(POLLOUT), revents: 0)
            return poll(&pfd, 1, Int32(clamping: timeout.milliseconds)) == 1
        }
    }

    /// Reads and discards until `count` bytes have arrived; false on a time-out or a close.
    package func discard(_ count: Int, timeout: Duration = .seconds(60)) async throws(TestFailure) -> Bool {
        let peer = self.peer
        return try await onThread { () throws(TestFailure) -> Bool in
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            var got = 0
            while got < count {
                var pfd = pollfd(fd: peer, events: Int16(POLLIN), revents: 0)
                guard poll(&pfd, 1, Int32(clamping: timeout.milliseconds)) == 1 else { return false }
                let n = Glibc.read(peer, &buffer, buffer.count)
                guard n > 0 else { return false }
                got += n
            }
            return true
        }
    }

    /// Small kernel buffers on the server's side of the connection, so that "the client stopped
    /// reading" shows after kilobytes rather than megabytes.
    package func shrinkBuffers() {
        var size: Int32 = 16 << 10
        setsockopt(peer, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(peer, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }
}
