import Crypto
import Glibc
import XMPPCore

/// SCRAM client cost per login, what the CA bundle and a TLS session cost in memory, and TLS
/// handshakes against a local `openssl s_server` (skipped when openssl is not installed).
func cryptoBenchmark() async throws -> [Figure] {
    var figures = try scramFigures()
    figures += try credentialFigures()
    figures += try handshakeFigures()
    return figures
}

/// The whole client side of one SCRAM login (RFC 7677 vector, 4096 iterations): PBKDF2 plus
/// the HMACs and the signature check.
private func scramFigures() throws -> [Figure] {
    let serverFirst = Array("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096".utf8)
    let serverFinal = Array("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".utf8)
    let rounds = 50
    let start = Stopwatch.cpuSeconds()
    for _ in 0..<rounds {
        var auth = try SASLAuthenticator(
            mechanism: .scramSHA256, username: "user", password: "pencil", clientNonce: "rOprNGfwEbeRWgbNEkqO")
        _ = try auth.respond(toChallenge: serverFirst)
        try auth.verifySuccess(additionalData: serverFinal)
    }
    let perLogin = (Stopwatch.cpuSeconds() - start) / Double(rounds)
    return [
        Figure(name: "crypto.scram_sha256.client_4096_iterations", value: perLogin * 1e3, unit: "ms CPU per login"),
        Figure(name: "crypto.pbkdf2_sha256.rate", value: 4096 / perLogin / 1e3, unit: "k iterations/s"),
    ]
}

/// Parsing the system CA bundle once: time, heap in use, certificate count.
private func credentialFigures() throws -> [Figure] {
    let before = heapInUse()
    let start = Stopwatch.now()
    let credentials = try TLSCredentials(TLSConfiguration(serverName: "example.org"))
    let elapsed = Stopwatch.now() - start
    let heap = heapInUse() - before
    return withExtendedLifetime(credentials) {
        [
            Figure(name: "tls.credentials.system_bundle.parse", value: elapsed * 1e3, unit: "ms"),
            Figure(name: "tls.credentials.system_bundle.heap", value: heap / 1024, unit: "KiB heap in use"),
            Figure(
                name: "tls.credentials.system_bundle.certificates", value: Double(credentials.trustedCertificateCount),
                unit: "certificates (\(credentials.skippedCertificateCount) skipped)"),
        ]
    }
}

/// Sequential full handshakes (plus one line echoed) against `openssl s_server` on loopback,
/// with an ECDSA P-256 and an RSA-2048 server key; and the heap one session holds.
private func handshakeFigures() throws -> [Figure] {
    guard access("/usr/bin/openssl", X_OK) == 0 else { return [] }
    let directory = "/tmp/kinglet-bench-tls-\(getpid())"
    mkdir(directory, 0o700)
    defer { _ = run(["/bin/rm", "-rf", directory]) }
    var figures: [Figure] = []
    let keys = [("ecdsa_p256", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]), ("rsa_2048", ["-newkey", "rsa:2048"])]
    for (label, keyAlgorithm) in keys {
        let cert = directory + "/\(label).pem", key = directory + "/\(label).key"
        let made = run(
            ["/usr/bin/openssl", "req", "-x509", "-nodes", "-days", "1", "-subj", "/CN=bench.test",
             "-addext", "subjectAltName=DNS:bench.test", "-keyout", key, "-out", cert] + keyAlgorithm)
        guard made == 0 else { throw BenchmarkError("openssl req failed") }
        let server = try ChildProcess(
            ["/usr/bin/openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", cert, "-key", key, "-rev"])
        defer { server.stop() }
        let port = try server.waitForListeningPort()
        let credentials = try TLSCredentials(TLSConfiguration(serverName: "bench.test", trust: .caFile(cert)))
        var probe = HeapProbe()
        try echoOnce(port: port, credentials, probe: &probe)
        server.drainOutput()
        let rounds = 40
        let (wall, cpu) = (Stopwatch.now(), Stopwatch.cpuSeconds())
        for _ in 0..<rounds {
            var ignored = HeapProbe()
            try echoOnce(port: port, credentials, probe: &ignored)
            server.drainOutput()
        }
        let (wallTime, cpuTime) = (Stopwatch.now() - wall, Stopwatch.cpuSeconds() - cpu)
        figures += [
            Figure(name: "tls.handshake.\(label).rate", value: Double(rounds) / wallTime, unit: "handshakes/s (loopback)"),
            Figure(name: "tls.handshake.\(label).client_cpu", value: cpuTime / Double(rounds) * 1e3, unit: "ms CPU per handshake"),
            Figure(name: "tls.session.\(label).heap_handshaking", value: probe.peak / 1024, unit: "KiB heap at most"),
            Figure(name: "tls.session.\(label).heap_established", value: probe.established / 1024, unit: "KiB heap"),
        ]
    }
    return figures
}

/// Heap held by one session: the most seen during the handshake, and once established.
private struct HeapProbe {
    var base = heapInUse()
    var peak = 0.0
    var established = 0.0

    mutating func sample() { peak = max(peak, heapInUse() - base) }
}

/// Connects, completes the handshake, sends one line and reads the echo, then closes.
private func echoOnce(port: UInt16, _ credentials: TLSCredentials, probe: inout HeapProbe) throws {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw BenchmarkError("connect failed: errno \(errno)") }
    // Without it, delayed ACKs between s_server's small writes and ours dominate the figure.
    var one: Int32 = 1
    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    probe.base = heapInUse()
    let session = try TLSSession(credentials: credentials, fd: fd)
    func wait(_ result: TLSTransfer) throws {
        var entry = pollfd(fd: fd, events: Int16(result == .wantWrite ? POLLOUT : POLLIN), revents: 0)
        guard poll(&entry, 1, 5000) > 0 else { throw BenchmarkError("timed out") }
    }
    while true {
        probe.sample()
        let progress = try session.handshake()
        if progress == .complete { break }
        try wait(progress == .wantWrite ? .wantWrite : .wantRead)
    }
    probe.established = heapInUse() - probe.base
    let line: [UInt8] = Array("x\n".utf8)
    var result = TLSTransfer.wantWrite
    repeat {
        result = try line.withUnsafeBytes { try session.write($0) }
        if result == .wantRead || result == .wantWrite { try wait(result) }
    } while result == .wantRead || result == .wantWrite
    var buffer = [UInt8](repeating: 0, count: 16)
    repeat {
        result = try buffer.withUnsafeMutableBytes { try session.read(into: $0) }
        if result == .wantRead || result == .wantWrite { try wait(result) }
    } while result == .wantRead || result == .wantWrite
    guard case .bytes = result else { throw BenchmarkError("no echo") }
    session.closeNotify()
}

/// Bytes of heap in use (glibc): system bytes minus free chunks, from malloc_info(3)'s totals.
/// malloc.h is not in the Glibc module, so the function is looked up by name.
private func heapInUse() -> Double {
    typealias MallocInfo = @convention(c) (Int32, UnsafeMutablePointer<FILE>?) -> Int32
    guard let symbol = dlsym(nil, "malloc_info") else { return -1 }
    var buffer: UnsafeMutablePointer<CChar>?
    var size = 0
    guard let stream = open_memstream(&buffer, &size) else { return -1 }
    _ = unsafeBitCast(symbol, to: MallocInfo.self)(0, stream)
    fclose(stream)
    defer { free(buffer) }
    guard let buffer else { return -1 }
    let xml = String(cString: buffer)
    // The totals follow the last </heap>; each attribute's last occurrence is the total.
    func last(_ prefix: String) -> Double {
        guard let line = xml.split(separator: "\n").last(where: { $0.contains(prefix) }),
            let sizeRange = line.firstRange(of: "size=\"")
        else { return 0 }
        return Double(line[sizeRange.upperBound...].prefix { $0.isNumber }) ?? 0
    }
    return last("<system type=\"current\"") - last("<total type=\"fast\"") - last("<total type=\"rest\"")
        + last("<total type=\"mmap\"")
}

/// A child process (openssl) with stdout and stderr on a pipe, without Foundation.
private final class ChildProcess {
    private let pid: pid_t
    private let output: Int32
    private var text = ""

    init(_ argv: [String]) throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw BenchmarkError("pipe failed") }
        (pid, output) = (try spawn(argv, stdoutFD: fds[1], closeInChild: fds[0]), fds[0])
        close(fds[1])
        _ = fcntl(output, F_SETFL, fcntl(output, F_GETFL) | O_NONBLOCK)
    }

    /// Reads the port from s_server's `ACCEPT 127.0.0.1:PORT` line, waiting up to 10 s.
    func waitForListeningPort() throws -> UInt16 {
        let deadline = Stopwatch.now() + 10
        while Stopwatch.now() < deadline {
            var entry = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
            _ = poll(&entry, 1, 100)
            drainOutput()
            for line in text.split(separator: "\n") where line.hasPrefix("ACCEPT 127.0.0.1:") {
                if let port = UInt16(line.dropFirst("ACCEPT 127.0.0.1:".count)) { return port }
            }
        }
        throw BenchmarkError("s_server did not start: \(text)")
    }

    /// Reads what is waiting, so the child never blocks on a full pipe.
    func drainOutput() {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
            guard n > 0 else { return }
            if text.utf8.count < 4096 { text += String(decoding: chunk[0..<n], as: UTF8.self) }
        }
    }

    func stop() {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        close(output)
    }
}

/// Runs a command to completion with its output discarded; returns its exit status.
private func run(_ argv: [String]) -> Int32 {
    let null = open("/dev/null", O_WRONLY)
    defer { close(null) }
    guard let pid = try? spawn(argv, stdoutFD: null, closeInChild: nil) else { return -1 }
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
}

private func spawn(_ argv: [String], stdoutFD: Int32, closeInChild: Int32?) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, stdoutFD, 1)
    posix_spawn_file_actions_adddup2(&actions, stdoutFD, 2)
    if let closeInChild { posix_spawn_file_actions_addclose(&actions, closeInChild) }
    let cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
    defer { cArguments.forEach { free($0) } }
    // The async main runs on a thread that blocks most signals, and a child inherits the mask:
    // without a reset, s_server would never see the SIGTERM that stops it.
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t()
    sigemptyset(&empty)
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
    var pid = pid_t()
    let status = posix_spawn(&pid, argv[0], &actions, &attributes, cArguments, environ)
    guard status == 0 else { throw BenchmarkError("spawn \(argv[0]): errno \(status)") }
    return pid
}
