/// The bytes TOML's grammar gives meaning to.
enum ASCII {
    static let tab: UInt8 = 0x09
    static let newline: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote = UInt8(ascii: "\"")
    static let hash = UInt8(ascii: "#")
    static let apostrophe = UInt8(ascii: "'")
    static let plus = UInt8(ascii: "+")
    static let comma = UInt8(ascii: ",")
    static let minus = UInt8(ascii: "-")
    static let dot = UInt8(ascii: ".")
    static let colon = UInt8(ascii: ":")
    static let equals = UInt8(ascii: "=")
    static let openBracket = UInt8(ascii: "[")
    static let backslash = UInt8(ascii: "\\")
    static let closeBracket = UInt8(ascii: "]")
    static let underscore = UInt8(ascii: "_")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")

    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
    static func isBareKey(_ c: UInt8) -> Bool { isLetter(c) || isDigit(c) || c == minus || c == underscore }
    /// Control characters TOML forbids in comments and strings; tab is allowed everywhere.
    static func isControl(_ c: UInt8) -> Bool { (c < 0x20 && c != tab) || c == 0x7F }

    static func hexValue(_ c: UInt8) -> UInt32? {
        switch c {
        case 0x30...0x39: UInt32(c - 0x30)
        case 0x41...0x46: UInt32(c - 0x37)
        case 0x61...0x66: UInt32(c - 0x57)
        default: nil
        }
    }
}

/// A cursor over the UTF-8 bytes of a document that counts lines as it goes: whitespace,
/// comments, newlines, keys and strings. Other values are read in `Scanner+Atoms.swift`.
struct Scanner {
    let bytes: [UInt8]
    let file: String
    private(set) var pos = 0
    private(set) var line = 1

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
        // A byte order mark is not content; editors on some systems write one.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { pos = 3 }
    }

    var current: UInt8? { pos < bytes.count ? bytes[pos] : nil }
    var isAtEnd: Bool { pos >= bytes.count }

    /// True at the end of the file, a newline or a comment: where a value cannot start.
    var isAtEndOfLine: Bool {
        guard let c = current else { return true }
        return c == ASCII.newline || c == ASCII.carriageReturn || c == ASCII.hash
    }

    func peek(_ offset: Int) -> UInt8? {
        pos + offset < bytes.count ? bytes[pos + offset] : nil
    }

    mutating func advance(_ count: Int = 1) {
        for _ in 0..<count {
            if bytes[pos] == ASCII.newline { line += 1 }
            pos += 1
        }
    }

    mutating func consume(_ byte: UInt8) -> Bool {
        guard current == byte else { return false }
        advance()
        return true
    }

    func error(_ message: String, line: Int? = nil) -> TOMLError {
        TOMLError(file: file, line: line ?? self.line, message: message)
    }

    /// The character at the cursor, for messages: `'x'`, "end of line", "end of file".
    var currentDescription: String {
        guard let c = current else { return "end of file" }
        if c == ASCII.newline || c == ASCII.carriageReturn { return "end of line" }
        if ASCII.isControl(c) { return "control character U+\(hex(c))" }
        var end = pos + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        return "'" + String(decoding: bytes[pos..<end], as: UTF8.self) + "'"
    }

    private func hex(_ c: UInt8) -> String {
        let digits = String(c, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }

    // MARK: Whitespace, comments, newlines

    mutating func skipSpaces() {
        while current == ASCII.space || current == ASCII.tab { advance() }
    }

    mutating func skipComment() throws(TOMLError) {
        guard current == ASCII.hash else { return }
        while let c = current, c != ASCII.newline {
            if c == ASCII.carriageReturn {
                guard peek(1) == ASCII.newline else { throw error("carriage return without a line feed") }
                return
            }
            if ASCII.isControl(c) { throw error("\(currentDescription) is not allowed in a comment") }
            advance()
        }
    }

    /// Consumes one newline, LF or CRLF; false when the cursor is not at one.
    mutating func consumeNewline() throws(TOMLError) -> Bool {
        if current == ASCII.newline {
            advance()
            return true
        }
        guard current == ASCII.carriageReturn else { return false }
        guard peek(1) == ASCII.newline else { throw error("carriage return without a line feed") }
        advance(2)
        return true
    }

    /// Finishes a line: spaces, an optional comment, then a newline or the end of the file.
    mutating func expectEndOfLine(after what: @autoclosure () -> String) throws(TOMLError) {
        skipSpaces()
        try skipComment()
        if isAtEnd { return }
        if try consumeNewline() { return }
        throw error("expected end of line after \(what()), found \(currentDescription)")
    }

    /// Skips spaces, comments and newlines, as allowed between the elements of an array.
    mutating func skipBlank() throws(TOMLError) {
        repeat {
            skipSpaces()
            try skipComment()
        } while try consumeNewline()
    }

    // MARK: Keys

    /// Reads a key, dotted or not, with the spaces around its dots: `a . "b.c" . 'd'`. Refuses a
    /// key that would take a path of `inside` names beyond `maxParts`, before reading it all.
    mutating func parseKey(maxParts: Int, inside: Int = 0) throws(TOMLError) -> [String] {
        var parts: [String] = []
        repeat {
            guard inside + parts.count < maxParts else {
                throw error("key nested too deeply (more than \(maxParts) parts, counting the tables it is in)")
            }
            skipSpaces()
            parts.append(try simpleKey())
            skipSpaces()
        } while consume(ASCII.dot)
        return parts
    }

    private mutating func simpleKey() throws(TOMLError) -> String {
        if let c = current, c == ASCII.quote || c == ASCII.apostrophe {
            if peek(1) == c, peek(2) == c { throw error("a key cannot be a multi-line string") }
            return try parseString()
        }
        let start = pos
        while let c = current, ASCII.isBareKey(c) { advance() }
        guard pos > start else { throw error("expected a key, found \(currentDescription)") }
        return String(decoding: bytes[start..<pos], as: UTF8.self)
    }

    // MARK: Strings

    /// Reads a basic, literal, multi-line basic or multi-line literal string; the cursor is at
    /// its opening quote.
    mutating func parseString() throws(TOMLError) -> String {
        let delimiter = bytes[pos]
        let multiline = peek(1) == delimiter && peek(2) == delimiter
        let startLine = line
        advance(multiline ? 3 : 1)
        // A newline right after the opening delimiter is not part of the string.
        if multiline { _ = try consumeNewline() }
        var out: [UInt8] = []
        while true {
            guard let c = current else { throw error("unterminated string", line: startLine) }
            if c == delimiter {
                guard multiline else {
                    advance()
                    break
                }
                // Up to two quotes may stand right before the closing three.
                var run = 0
                while peek(run) == delimiter { run += 1 }
                advance(run)
                if run > 5 { throw error("too many quotes at the end of a multi-line string") }
                out.append(contentsOf: repeatElement(delimiter, count: run < 3 ? run : run - 3))
                if run >= 3 { break }
            } else if c == ASCII.backslash && delimiter == ASCII.quote {
                try parseEscape(into: &out, multiline: multiline)
            } else if c == ASCII.newline || c == ASCII.carriageReturn {
                if c == ASCII.carriageReturn, peek(1) != ASCII.newline {
                    throw error("carriage return without a line feed")
                }
                guard multiline else {
                    throw error("unterminated string (use \"\"\" or ''' for text over several lines)", line: startLine)
                }
                _ = try consumeNewline()
                out.append(ASCII.newline)
            } else if ASCII.isControl(c) {
                throw error("\(currentDescription) must be escaped in a string")
            } else {
                out.append(c)
                advance()
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func parseEscape(into out: inout [UInt8], multiline: Bool) throws(TOMLError) {
        advance()  // the backslash
        if multiline {
            // A backslash ending a line swallows the newline and all whitespace after it.
            let start = pos
            skipSpaces()
            if current == ASCII.newline || current == ASCII.carriageReturn {
                repeat { skipSpaces() } while try consumeNewline()
                return
            }
            pos = start  // only spaces were skipped, so the line count is unchanged
        }
        guard let c = current else { throw error("unterminated string") }
        let simple: UInt8? =
            switch c {
            case UInt8(ascii: "b"): 0x08
            case UInt8(ascii: "t"): 0x09
            case UInt8(ascii: "n"): 0x0A
            case UInt8(ascii: "f"): 0x0C
            case UInt8(ascii: "r"): 0x0D
            case ASCII.quote, ASCII.backslash: c
            default: nil
            }
        if let simple {
            out.append(simple)
            advance()
        } else if c == UInt8(ascii: "u") || c == UInt8(ascii: "U") {
            advance()
            let scalar = try parseUnicodeEscape(digits: c == UInt8(ascii: "u") ? 4 : 8)
            out.append(contentsOf: scalar.utf8)
        } else if currentDescription.hasPrefix("'") {
            throw error("invalid escape '\\\(currentDescription.dropFirst())")
        } else {
            throw error("invalid escape: '\\' followed by \(currentDescription)")
        }
    }

    private mutating func parseUnicodeEscape(digits: Int) throws(TOMLError) -> Unicode.Scalar {
        let letter = digits == 4 ? "u" : "U"
        let start = pos
        var value: UInt32 = 0
        for _ in 0..<digits {
            guard let c = current, let digit = ASCII.hexValue(c) else {
                throw error("\\\(letter) must be followed by \(digits) hexadecimal digits")
            }
            value = value << 4 | digit
            advance()
        }
        guard let scalar = Unicode.Scalar(value) else {
            let text = String(decoding: bytes[start..<pos], as: UTF8.self)
            throw error("\\\(letter)\(text) is not a Unicode scalar value")
        }
        return scalar
    }
}
