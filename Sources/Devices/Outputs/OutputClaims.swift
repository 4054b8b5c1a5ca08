import Glibc
import Support

/// Which outputs a running process drives, told through a file in the runtime directory
/// (`/run/kinglet`, or systemd's `$RUNTIME_DIRECTORY`) that the process keeps locked while it
/// runs. `kinglet set` reads them to refuse touching what a running agent drives, and to say
/// which process that is and how to stop it; the kernel releases the lock when the process
/// ends however it ends, so a file left behind by a crash is recognised and removed.
package struct OutputClaim: Sendable, Hashable {
    package var pid: Int32
    /// How the process was started: `kinglet run --config /etc/kinglet/kinglet.toml`.
    package var command: String
    /// The systemd unit running it (`kinglet.service`), if any.
    package var unit: String?
    /// The outputs, as `OutputClaims.key` names them.
    package var outputs: [String]

    package init(pid: Int32 = getpid(), command: String, unit: String? = OutputClaims.currentUnit(), outputs: [String]) {
        self.pid = pid
        self.command = command
        self.unit = unit
        self.outputs = outputs
    }

    /// How a person stops the process: `systemctl stop kinglet.service`, or `kill 1234`.
    package var stopHint: String {
        unit.map { "systemctl stop \($0)" } ?? "kill \(pid)"
    }

    var text: String {
        (["pid \(pid)", "command \(command)"] + (unit.map { ["unit \($0)"] } ?? []) + outputs.map { "output \($0)" })
            .joined(separator: "\n") + "\n"
    }

    init?(text: String) {
        var pid: Int32?
        var command = ""
        var unit: String?
        var outputs: [String] = []
        for line in text.split(separator: "\n") {
            let (word, rest) = (line.prefix { $0 != " " }, String(line.drop { $0 != " " }.dropFirst()))
            switch word {
            case "pid": pid = Int32(rest)
            case "command": command = rest
            case "unit": unit = rest
            case "output": outputs.append(rest)
            default: continue
            }
        }
        guard let pid else { return nil }
        self.init(pid: pid, command: command, unit: unit, outputs: outputs)
    }
}

/// A claim file this process holds: locked while the value lives, removed in `deinit`.
package final class OutputClaimFile: Sendable {
    package let path: String
    private let fd: Int32

    fileprivate init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    deinit {
        unlink(path)
        close(fd)
    }
}

package enum OutputClaims {
    /// systemd's `$RUNTIME_DIRECTORY` (the unit's `RuntimeDirectory=`), else `/run/kinglet`.
    package static var directory: String {
        if let given = getenv("RUNTIME_DIRECTORY").map({ String(cString: $0) }), let first = given.split(separator: ":").first {
            return String(first)
        }
        return "/run/kinglet"
    }

    /// What identifies an output across processes, whatever the profiles call it: the canonical
    /// path of a sysfs attribute, the chip device and offset of a GPIO line (when the chip can be
    /// opened; as written otherwise), a command's argv. Simulated outputs live in one process
    /// and are nobody else's: nil.
    package static func key(_ spec: OutputSpec, paths: HostPaths) -> String? {
        switch spec {
        case .sysfs(let target):
            return "sysfs " + canonical(paths.resolve(target.path))
        case .gpio(let target):
            if let chip = try? GPIOChip.locate(target.chip, paths: paths), let offset = try? chip.offset(of: target.line) {
                return "gpio \(canonical(chip.path)) \(offset)"
            }
            return "gpio \(target.chip) \(target.line)"
        case .command(let target):
            return "command " + target.command.argv.joined(separator: " ")
        case .simulated:
            return nil
        }
    }

    /// Announces `claim` for as long as the returned file lives. The file is written under a
    /// temporary name and locked before it takes its real one, so nobody sees it unlocked.
    package static func claim(_ claim: OutputClaim, in directory: String = directory) throws(DeviceError) -> OutputClaimFile {
        if mkdir(directory, 0o755) != 0, errno != EEXIST { throw DeviceError(SystemError("create \(directory)")) }
        let path = directory + "/outputs-\(claim.pid).claim"
        let temporary = path + ".new"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw DeviceError(SystemError("create \(temporary)")) }
        let bytes = Array(claim.text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, flock(fd, LOCK_EX | LOCK_NB) == 0, rename(temporary, path) == 0 else {
            let failure = SystemError("write \(path)")
            close(fd)
            unlink(temporary)
            throw DeviceError(failure)
        }
        return OutputClaimFile(path: path, fd: fd)
    }

    /// The live claims in `directory`, except this process's own; files whose process has gone
    /// are removed on the way.
    package static func holders(in directory: String = directory) -> [OutputClaim] {
        guard let names = try? HostFiles.list(directory) else { return [] }
        var claims: [OutputClaim] = []
        for name in names where name.hasPrefix("outputs-") && name.hasSuffix(".claim") {
            let path = directory + "/" + name
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            if flock(fd, LOCK_SH | LOCK_NB) == 0 {
                // Nobody holds it: its process has ended (ours stays locked by our own
                // descriptor). Removed only if a new process of the same pid has not just
                // renamed its own file over it.
                var opened = stat()
                var named = stat()
                if fstat(fd, &opened) == 0, stat(path, &named) == 0, opened.st_ino == named.st_ino { unlink(path) }
                continue
            }
            guard let text = try? FileIO.readText(path, limit: 1 << 20), let claim = OutputClaim(text: text), claim.pid != getpid()
            else { continue }
            claims.append(claim)
        }
        return claims.sorted { $0.pid < $1.pid }
    }

    /// The systemd unit this process runs in, from its cgroup (`0::/system.slice/kinglet.service`).
    package static func currentUnit() -> String? {
        guard let text = try? FileIO.readText("/proc/self/cgroup", limit: 64 << 10) else { return nil }
        for line in text.split(separator: "\n") {
            if let unit = line.split(separator: "/").last, unit.hasSuffix(".service") { return String(unit) }
        }
        return nil
    }

    private static func canonical(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
