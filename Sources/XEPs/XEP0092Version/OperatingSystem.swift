import Glibc

/// The operating system name and release, as XEP-0092 `<os/>` and the XEP-0232 software
/// information form report them. Withheld (nil) when the config says so.
package struct OperatingSystem: Sendable, Hashable {
    /// `Linux`.
    package var name: String
    /// The kernel release: `6.1.0-rpi7-rpi-v8`.
    package var version: String

    package init(name: String, version: String) {
        self.name = name
        self.version = version
    }

    /// This host's, from uname(2).
    package static func current() -> OperatingSystem {
        var names = utsname()
        guard uname(&names) == 0 else { return OperatingSystem(name: "Linux", version: "") }
        return OperatingSystem(name: text(names.sysname), version: text(names.release))
    }

    /// `Linux 6.1.0-rpi7-rpi-v8`.
    package var description: String { version.isEmpty ? name : name + " " + version }

    private static func text<T>(_ field: T) -> String {
        withUnsafeBytes(of: field) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
