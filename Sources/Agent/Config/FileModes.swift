import Glibc
import Support

/// What the permission bits of a file the agent trusts say: a secret others can read, a file
/// anyone can change. One rule set for `kinglet check` and `kinglet run` (warnings) and
/// `kinglet doctor` (a line each, errors failing it).
package enum FileModes {
    /// What the file is to the agent.
    package enum Role: Sendable, Hashable {
        /// Holds a secret: `password_file`, `key_file`. 600, or 640 for a group of the agent's own.
        case secret(key: String)
        /// The config, holding `password` inline.
        case configWithPassword
        /// Decides what the agent trusts or does: the config, `ca_file`, `cert_file`.
        case trusted(key: String)
    }

    package struct Problem: Sendable, Hashable, CustomStringConvertible {
        package enum Severity: Sendable, Hashable { case warning, error }
        package var severity: Severity
        /// `password_file /etc/kinglet/password is readable by every user (mode 644)`.
        package var message: String
        /// `chmod 600 /etc/kinglet/password`.
        package var fix: String

        package var description: String { "\(message); \(fix)" }
    }

    /// The problems of the file at `path`, looking up its mode and group; none when it cannot be
    /// stat'ed (reading it fails elsewhere, with its own message).
    package static func problems(_ path: String, role: Role) -> [Problem] {
        var st = stat()
        guard stat(path, &st) == 0 else { return [] }
        return problems(path, role: role, mode: st.st_mode & 0o7777, group: groupName(st.st_gid))
    }

    /// The rules, on a given mode: writable by every user is an error for any role; a secret
    /// readable by every user is an error, by its group a warning naming the group; a config
    /// holding the password inline that every user can read is a warning.
    package static func problems(_ path: String, role: Role, mode: UInt32, group: String) -> [Problem] {
        let shown = "(mode \(String(mode, radix: 8)))"
        var problems: [Problem] = []
        if mode & 0o002 != 0 {
            problems.append(Problem(
                severity: .error, message: "\(name(role)) \(path) is writable by every user \(shown)", fix: "chmod o-w \(path)"))
        }
        switch role {
        case .secret:
            if mode & 0o004 != 0 {
                problems.append(Problem(
                    severity: .error, message: "\(name(role)) \(path) is readable by every user \(shown)",
                    fix: "chmod 600 \(path) (or 640 with a group only the agent's user is in)"))
            } else if mode & 0o060 != 0 {
                let what = mode & 0o020 != 0 ? "readable or writable" : "readable"
                problems.append(Problem(
                    severity: .warning, message: "\(name(role)) \(path) is \(what) by the group '\(group)' \(shown)",
                    fix: "fine if only the agent's user is in '\(group)'; otherwise chmod 600 \(path)"))
            }
        case .configWithPassword:
            if mode & 0o004 != 0 {
                problems.append(Problem(
                    severity: .warning, message: "\(path) holds the password inline and every user can read it \(shown)",
                    fix: "move it to password_file (mode 600), or chmod 640 \(path)"))
            }
        case .trusted:
            break
        }
        return problems
    }

    private static func name(_ role: Role) -> String {
        switch role {
        case .secret(let key), .trusted(let key): key
        case .configWithPassword: "the config"
        }
    }

    private static func groupName(_ gid: gid_t) -> String {
        var group = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getgrgid_r(gid, &group, &buffer, buffer.count, &result) == 0, result != nil, let name = group.gr_name else {
            return String(gid)
        }
        return String(cString: name)
    }
}
