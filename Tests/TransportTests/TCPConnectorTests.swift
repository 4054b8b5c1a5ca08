import Glibc
import Testing
@testable import Transport

@Suite struct TCPConnectorTests {
    /// A listening loopback socket and its port.
    func listener() throws -> (fd: Int32, port: UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0)
        try #require(listen(fd, 4) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, UInt16(bigEndian: address.sin_port))
    }

    @Test func connectsAndReturnsANonBlockingSocket() throws {
        let (server, port) = try listener()
        defer { close(server) }
        let fd = try TCPConnector.connect(host: "127.0.0.1", port: port, timeoutMilliseconds: 2000)
        defer { close(fd) }
        #expect(fcntl(fd, F_GETFL) & O_NONBLOCK != 0)
        let accepted = accept(server, nil, nil)
        #expect(accepted >= 0)
        close(accepted)
    }

    @Test func refusedPortIsAClearError() throws {
        let (server, port) = try listener()
        close(server)  // nothing listens there any more
        #expect {
            try TCPConnector.connect(host: "127.0.0.1", port: port, timeoutMilliseconds: 2000)
        } throws: { error in
            "\(error)".contains("refused")
        }
    }

    @Test func unknownHostIsAResolveError() {
        #expect {
            try TCPConnector.connect(host: "no-such-host.invalid", port: 5222, timeoutMilliseconds: 500)
        } throws: { error in
            "\(error)".hasPrefix("cannot resolve no-such-host.invalid")
        }
    }
}
