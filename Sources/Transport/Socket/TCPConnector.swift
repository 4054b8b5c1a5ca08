import Glibc
import Support

/// Opens TCP connections for the I/O thread: resolves a host to its addresses and tries each
/// with a time-out. Blocking by design: it runs on the connection's own thread.
package enum TCPConnector {
    /// Connects to `host:port`, trying every address in turn. Returns a non-blocking socket.
    package static func connect(host: String, port: UInt16, timeoutMilliseconds: Int32) throws(TransportError) -> Int32 {
        try withAddresses(host: host, port: port) { (first) throws(TransportError) -> Int32 in
            var lastError = TransportError.connect(endpoint: "\(host):\(port)", reason: "no addresses")
            var cursor: UnsafeMutablePointer<addrinfo>? = first
            while let info = cursor {
                cursor = info.pointee.ai_next
                do throws(SystemError) {
                    return try attempt(info.pointee, timeoutMilliseconds: timeoutMilliseconds)
                } catch {
                    lastError = .connect(endpoint: "\(describe(info.pointee)) (\(host))", reason: error.description)
                }
            }
            throw lastError
        }
    }

    /// The addresses `host` resolves to, numeric (`127.0.0.1:5222`, `[::1]:5222`), in the order
    /// `connect` tries them: for `kinglet doctor`.
    package static func resolve(host: String, port: UInt16) throws(TransportError) -> [String] {
        try withAddresses(host: host, port: port) { first in
            var addresses: [String] = []
            var cursor: UnsafeMutablePointer<addrinfo>? = first
            while let info = cursor {
                addresses.append(describe(info.pointee))
                cursor = info.pointee.ai_next
            }
            return addresses
        }
    }

    /// Resolves `host:port` for TCP (getaddrinfo) and hands the list to `body`.
    private static func withAddresses<T>(
        host: String, port: UInt16, _ body: (UnsafeMutablePointer<addrinfo>) throws(TransportError) -> T
    ) throws(TransportError) -> T {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_ADDRCONFIG
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw TransportError.resolve(host: host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        return try body(first)
    }

    private static func attempt(_ info: addrinfo, timeoutMilliseconds: Int32) throws(SystemError) -> Int32 {
        let fd = try systemCall("socket") {
            socket(info.ai_family, info.ai_socktype | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), info.ai_protocol)
        }
        do throws(SystemError) {
            if Glibc.connect(fd, info.ai_addr, info.ai_addrlen) != 0 {
                guard errno == EINPROGRESS else { throw SystemError("connect") }
                var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let ready = try systemCall("poll") { poll(&pfd, 1, timeoutMilliseconds) }
                guard ready > 0 else { throw SystemError("connect", code: ETIMEDOUT) }
                var soError: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                try systemCall("getsockopt") { getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length) }
                guard soError == 0 else { throw SystemError("connect", code: soError) }
            }
            var on: Int32 = 1
            // Stanzas are small and latency matters more than packet count; keepalive catches dead peers.
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
            setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, socklen_t(MemoryLayout<Int32>.size))
            return fd
        } catch {
            close(fd)
            throw error
        }
    }

    /// The numeric address of a connected socket's peer, for log lines.
    package static func peerAddress(_ fd: Int32) -> String {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) == 0 }
        }
        guard ok else { return "?" }
        return withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { numeric($0, length) }
        }
    }

    /// `127.0.0.1:5222` or `[::1]:5222`, for log lines.
    static func describe(_ info: addrinfo) -> String {
        numeric(info.ai_addr, info.ai_addrlen)
    }

    private static func numeric(_ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> String {
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        guard getnameinfo(address, length, &host, socklen_t(host.count), &service,
                          socklen_t(service.count), NI_NUMERICHOST | NI_NUMERICSERV) == 0
        else { return "?" }
        let h = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let s = String(decoding: service.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return address.pointee.sa_family == sa_family_t(AF_INET6) ? "[\(h)]:\(s)" : "\(h):\(s)"
    }
}
