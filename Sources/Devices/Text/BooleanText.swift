/// The words that mean true or false in files, command output and chat: `1`/`0`, `true`/`false`,
/// `on`/`off`, `yes`/`no`, `enabled`/`disabled`, any case.
package enum BooleanText {
    package static func parse(_ text: String) -> Bool? {
        switch text.trimmingSpaces.lowercased() {
        case "1", "true", "on", "yes", "enabled", "high": true
        case "0", "false", "off", "no", "disabled", "low": false
        default: nil
        }
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs, newlines and NULs (device-tree strings
    /// end with a NUL).
    package var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0.isWhitespace || $0 == "\0" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}

extension StringProtocol {
    /// The first occurrence of `needle`, by Unicode scalars. Written here so that plain substring
    /// search does not pull in the standard library's regex module.
    package func locate(_ needle: String) -> Range<Index>? {
        let hay = unicodeScalars
        let pattern = Array(needle.unicodeScalars)
        guard let head = pattern.first else { return startIndex..<startIndex }
        var i = hay.startIndex
        while i != hay.endIndex {
            if hay[i] == head {
                var j = i
                var k = 0
                while k < pattern.count, j != hay.endIndex, hay[j] == pattern[k] {
                    j = hay.index(after: j)
                    k += 1
                }
                if k == pattern.count { return i..<j }
            }
            i = hay.index(after: i)
        }
        return nil
    }
}
