package import TOML

/// A problem in a device profile, at a line: what `kinglet check` prints as `FILE:LINE: message`.
package struct ProfileError: Error, Sendable, Hashable, CustomStringConvertible {
    package let file: String
    /// 1-based; 0 when the problem is the file as a whole (missing, unreadable).
    package let line: Int
    package let message: String

    package init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    package init(_ error: TOMLError) {
        self.init(file: error.file, line: error.line, message: error.message)
    }

    /// `FILE:LINE: message`, or `FILE: message` when the problem is not at a line.
    package var description: String {
        line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)"
    }
}
