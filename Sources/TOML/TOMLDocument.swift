import Glibc
import Support

/// A parsed TOML 1.0 document: the root table, and the file name every error names.
package struct TOMLDocument: Sendable {
    /// The file name as given; used in every error.
    package let file: String
    package let root: TOMLTable

    /// Config files and device profiles are a few kilobytes; anything this big is a mistake.
    static let maxFileSize = 4 << 20

    /// Parses `text`; `file` names it in errors. The values of `secretKeys` (matched by the
    /// last part of a key, e.g. `password`) are never quoted in an error.
    package static func parse(_ text: String, file: String, secretKeys: Set<String> = []) throws(TOMLError) -> TOMLDocument {
        var parser = Parser(bytes: Array(text.utf8), file: file, secretKeys: secretKeys)
        return TOMLDocument(file: file, root: try parser.parseDocument())
    }

    /// Reads and parses a file. A file that cannot be read fails at line 0 with the system's
    /// reason; a file that is not UTF-8 fails at the first line that is not.
    package static func load(path: String, secretKeys: Set<String> = []) throws(TOMLError) -> TOMLDocument {
        let bytes: [UInt8]
        if let problem = FileIO.regularFileProblem(path) {
            throw TOMLError(file: path, line: 0, message: "cannot read: \(problem)")
        }
        do throws(SystemError) {
            bytes = try FileIO.read(path, limit: maxFileSize + 1)
        } catch {
            throw TOMLError(file: path, line: 0, message: "cannot read: \(String(cString: strerror(error.code)))")
        }
        guard bytes.count <= maxFileSize else {
            throw TOMLError(file: path, line: 0, message: "file is larger than \(maxFileSize >> 20) MiB")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw TOMLError(file: path, line: firstLineNotUTF8(bytes), message: "invalid UTF-8")
        }
        return try parse(text, file: path, secretKeys: secretKeys)
    }

    private static func firstLineNotUTF8(_ bytes: [UInt8]) -> Int {
        for (index, line) in bytes.split(separator: ASCII.newline, omittingEmptySubsequences: false).enumerated()
        where String(validating: line, as: UTF8.self) == nil {
            return index + 1
        }
        return 0
    }
}
