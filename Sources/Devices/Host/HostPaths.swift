/// Where the Linux interfaces live. Every source and output finds its files through these roots,
/// so tests can point the real code at a fake sysfs/proc tree in a temporary directory.
package struct HostPaths: Sendable, Hashable {
    package var sys: String
    package var proc: String
    package var dev: String
    package var etc: String

    package init(sys: String = "/sys", proc: String = "/proc", dev: String = "/dev", etc: String = "/etc") {
        self.sys = sys
        self.proc = proc
        self.dev = dev
        self.etc = etc
    }

    /// All four roots under one directory: `root/sys`, `root/proc`, `root/dev`, `root/etc`.
    package init(root: String) {
        self.init(sys: root + "/sys", proc: root + "/proc", dev: root + "/dev", etc: root + "/etc")
    }

    /// The real machine.
    package static let system = HostPaths()

    /// Maps an absolute path written in a profile (`/sys/class/leds/ACT/brightness`) onto these
    /// roots, so shipped profiles run unchanged against a fake tree. Other paths are kept.
    package func resolve(_ path: String) -> String {
        for (prefix, root) in [("/sys", sys), ("/proc", proc), ("/dev", dev), ("/etc", etc)] {
            if path == prefix { return root }
            if path.hasPrefix(prefix + "/") { return root + path.dropFirst(prefix.count) }
        }
        return path
    }
}
