/// A problem with a TOML file, located at a line: the one error type of this module.
/// Its description is what `kinglet check` prints, `FILE:LINE: message`.
package struct TOMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file name as it was given to `parse` or `load`.
    package let file: String
    /// 1-based; 0 when the error is about the whole file (for example, it cannot be read).
    package let line: Int
    package let message: String

    package init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// `FILE:LINE: message`, or `FILE: message` when the error is not about a line.
    package var description: String {
        line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)"
    }
}
