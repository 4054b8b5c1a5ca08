/// A path into a JSON document, as profiles write it: `$.sensors[0].value`, `data.temp`,
/// `["odd key"].x`. Enough to pick one value out of a status file or a command's JSON output.
package struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    package enum Step: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    package let source: String
    package let steps: [Step]

    /// Parses the path; the error names the character where it went wrong.
    package init(_ source: String) throws(DeviceError) {
        self.source = source
        var steps: [Step] = []
        let s = Array(source.unicodeScalars)
        var i = 0
        if i < s.count, s[i] == "$" { i += 1 }
        func fail(_ message: String) -> DeviceError { .syntax("JSON path", message, at: i) }
        while i < s.count {
            switch s[i] {
            case ".":
                i += 1
                let start = i
                while i < s.count, s[i] != ".", s[i] != "[" { i += 1 }
                guard i > start else { throw fail("empty key") }
                steps.append(.key(String(String.UnicodeScalarView(s[start..<i]))))
            case "[":
                i += 1
                if i < s.count, s[i] == "\"" {
                    i += 1
                    let start = i
                    while i < s.count, s[i] != "\"" { i += 1 }
                    guard i + 1 < s.count, s[i + 1] == "]" else { throw fail("missing '\"]'") }
                    steps.append(.key(String(String.UnicodeScalarView(s[start..<i]))))
                    i += 2
                } else {
                    var value = 0
                    let start = i
                    while i < s.count, ("0"..."9").contains(s[i]), value < 1_000_000 {
                        value = value * 10 + Int(s[i].value - 48)
                        i += 1
                    }
                    guard i > start, i < s.count, s[i] == "]" else { throw fail("expected an index and ']'") }
                    steps.append(.index(value))
                    i += 1
                }
            default:
                guard steps.isEmpty, i == 0 || (i == 1 && s[0] == "$") else { throw fail("expected '.' or '['") }
                let start = i
                while i < s.count, s[i] != ".", s[i] != "[" { i += 1 }
                steps.append(.key(String(String.UnicodeScalarView(s[start..<i]))))
            }
        }
        guard !steps.isEmpty else { throw DeviceError("parse JSON path", message: "empty path") }
        self.steps = steps
    }

    package var description: String { source }

    /// The value at this path in `document`.
    package func select(in document: JSONValue) -> JSONValue? {
        var node = document
        for step in steps {
            switch (step, node) {
            case (.key(let key), .object(let members)):
                guard let next = members.last(where: { $0.key == key })?.value else { return nil }
                node = next
            case (.index(let i), .array(let items)):
                guard i < items.count else { return nil }
                node = items[i]
            default:
                return nil
            }
        }
        return node
    }
}
