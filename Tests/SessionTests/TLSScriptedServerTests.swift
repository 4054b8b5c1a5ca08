import Glibc
import TestSupport
import Testing

/// The scripted TLS server the session tests talk to is found however busy the machine is:
/// its port is read from s_server's own listening socket, wherever /proc/net/tcp lists it.
@Suite struct TLSScriptedServerTests {
    @Test func startsAmongManyListeningSockets() async throws {
        // 300 listeners of our own: /proc/net/tcp lists s_server's far past its first 4 KiB
        // (about 26 sockets), as on a machine where other tests run servers.
        var listeners: [Int32] = []
        defer { listeners.forEach { close($0) } }
        for _ in 0..<300 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            #expect(fd >= 0)
            listeners.append(fd)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            #expect(bound == 0 && listen(fd, 1) == 0)
        }
        let ours = Set(listeners.map(Self.port(of:)))
        let certificates = try await TestCertificates.make(for: "kinglet.test")
        let server = try await TLSScriptedServer.start(certificates)
        #expect(server.port != 0 && !ours.contains(server.port))
    }

    private static func port(of fd: Int32) -> UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }
}
