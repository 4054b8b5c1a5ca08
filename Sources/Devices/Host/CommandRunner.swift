import Glibc
import Support
import Synchronization

/// What a finished command left: its exit status and what it wrote.
package struct CommandResult: Sendable, Hashable {
    /// The exit status, or nil when a signal ended it.
    package var status: Int32?
    package var signal: Int32?
    package var output: [UInt8]
    package var errorOutput: [UInt8]

    package var outputText: String { String(decoding: output, as: UTF8.self) }
}

/// Runs a command with posix_spawn: argv is passed as is (no shell, so a value is never
/// interpolated into shell code), the command gets its own process group, a time-out kills that
/// whole group, and output beyond the cap kills it too. Blocks the calling thread: call it through
/// `OffloadThread`.
package enum CommandRunner {
    /// Runs `spec` with `environment` added to a small fixed environment (PATH, HOME, LC_ALL=C so
    /// numbers print with a dot). Throws when the command cannot start, overruns its time-out or
    /// output cap; a non-zero exit is a result, for the caller to judge.
    package static func run(_ spec: CommandSpec, environment: [(String, String)] = []) throws(DeviceError) -> CommandResult {
        guard let program = spec.argv.first, !program.isEmpty else {
            throw DeviceError("run command", message: "empty command")
        }
        let operation = "run \(program)"
        OperationTrace.note("run", program)
        let (pid, outPipe, errPipe) = try spawnLock.withLock { _ throws(DeviceError) in
            let outPipe = try makePipe(operation)
            let errPipe = try makePipe(operation)
            do throws(DeviceError) {
                let pid = try spawn(spec.argv, environment: environment, stdout: outPipe.1, stderr: errPipe.1, operation: operation)
                return (pid, outPipe, errPipe)
            } catch {
                [outPipe.0, outPipe.1, errPipe.0, errPipe.1].forEach { _ = close($0) }
                throw error
            }
        }
        close(outPipe.1)
        close(errPipe.1)
        defer {
            close(outPipe.0)
            close(errPipe.0)
        }
        let deadline = monotonicMilliseconds() + spec.timeout.milliseconds
        var collector = OutputCollector(fds: [outPipe.0, errPipe.0], limit: spec.maxOutput)
        let ended = collector.drain(until: deadline)
        let exited = ended == .endOfFile && waitForExit(pid, until: deadline)
        // Whatever the child left running in its group goes too (a sensor read must not leave
        // processes behind). The child is not reaped yet, so the group id cannot have been reused.
        kill(-pid, SIGKILL)
        let status = reap(pid)
        switch ended {
        case .timedOut:
            throw DeviceError(operation, message: "timed out after \(spec.timeout.unitText); process group killed")
        case .overflow:
            throw DeviceError(operation, message: "output exceeds \(spec.maxOutput) bytes; process group killed")
        case .endOfFile:
            guard exited else {
                throw DeviceError(operation, message: "timed out after \(spec.timeout.unitText); process group killed")
            }
        }
        return CommandResult(
            status: status.exited ? status.code : nil, signal: status.exited ? nil : status.code,
            output: collector.buffers[0], errorOutput: collector.buffers[1])
    }

    /// Held from pipe creation to spawn. pipe2 (atomic close-on-exec) is not visible to Swift
    /// without _GNU_SOURCE, so the flag is set right after pipe(); the lock keeps a concurrent
    /// command run from spawning in between and inheriting the other run's pipe, which would hold
    /// that run's end-of-file back until the stray child exits.
    private static let spawnLock = Mutex<Void>(())

    private static func makePipe(_ operation: String) throws(DeviceError) -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw DeviceError(SystemError("\(operation): pipe")) }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        return (fds[0], fds[1])
    }

    private static func spawn(
        _ argv: [String], environment: [(String, String)], stdout: Int32, stderr: Int32, operation: String
    ) throws(DeviceError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A new process group (so a time-out can kill grandchildren), no blocked signals and
        // default dispositions (the agent's own handlers must not leak into the command).
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let env = baseEnvironment() + environment.map { "\($0.0)=\($0.1)" }
        var cArgv = argv.map { strdup($0) } + [nil]
        var cEnv = env.map { strdup($0) } + [nil]
        defer {
            cArgv.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        var pid = pid_t()
        let result =
            argv[0].contains("/")
            ? posix_spawn(&pid, argv[0], &actions, &attributes, &cArgv, &cEnv)
            : posix_spawnp(&pid, argv[0], &actions, &attributes, &cArgv, &cEnv)
        guard result == 0 else { throw DeviceError(SystemError(operation, code: result)) }
        return pid
    }

    private static func baseEnvironment() -> [String] {
        var env = ["LC_ALL=C"]
        if let path = getenv("PATH") { env.append("PATH=" + String(cString: path)) } else {
            env.append("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        }
        if let home = getenv("HOME") { env.append("HOME=" + String(cString: home)) }
        return env
    }

    /// Waits for the child to exit, without reaping it (so its process group stays addressable).
    /// Its pipes are closed by now, so it is normally already gone; the short polls only matter
    /// for a command that closed its output and kept running.
    private static func waitForExit(_ pid: pid_t, until deadline: Int64) -> Bool {
        var pause: Int64 = 1
        while true {
            var info = siginfo_t()
            let r = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
            if r == 0, info._sifields._sigchld.si_pid == pid { return true }
            if r != 0, errno != EINTR { return true }
            let now = monotonicMilliseconds()
            if now >= deadline { return false }
            var pauseTime = timespec(tv_sec: 0, tv_nsec: Int(min(pause, deadline - now)) * 1_000_000)
            nanosleep(&pauseTime, nil)
            pause = min(pause * 2, 20)
        }
    }

    /// Collects the exit status (blocking: only called once the child has exited or was killed).
    @discardableResult
    private static func reap(_ pid: pid_t) -> (exited: Bool, code: Int32) {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return (false, 0) }
        }
        let signal = status & 0x7F
        return signal == 0 ? (true, (status >> 8) & 0xFF) : (false, signal)
    }

    static func monotonicMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}

/// Reads a child's stdout and stderr with poll until both end, the deadline passes or the output
/// cap is exceeded.
private struct OutputCollector {
    enum Ending { case endOfFile, timedOut, overflow }

    let fds: [Int32]
    let limit: Int
    var buffers: [[UInt8]]

    init(fds: [Int32], limit: Int) {
        self.fds = fds
        self.limit = limit
        self.buffers = Array(repeating: [], count: fds.count)
    }

    mutating func drain(until deadline: Int64) -> Ending {
        var open = Array(repeating: true, count: fds.count)
        var chunk = [UInt8](repeating: 0, count: 4096)
        while open.contains(true) {
            let remaining = deadline - CommandRunner.monotonicMilliseconds()
            if remaining <= 0 { return .timedOut }
            var polls = fds.indices.filter { open[$0] }.map { pollfd(fd: fds[$0], events: Int16(POLLIN), revents: 0) }
            let ready = poll(&polls, nfds_t(polls.count), Int32(min(remaining, 60_000)))
            if ready < 0 && errno != EINTR { return .timedOut }
            for p in polls where p.revents != 0 {
                guard let index = fds.firstIndex(of: p.fd) else { continue }
                let n = chunk.withUnsafeMutableBytes { read(p.fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    buffers[index].append(contentsOf: chunk[0..<n])
                    if buffers.reduce(0, { $0 + $1.count }) > limit { return .overflow }
                } else if n == 0 || errno != EINTR {
                    open[index] = false
                }
            }
        }
        return .endOfFile
    }
}
