/// Recursive-descent parser for `TextPattern`: alternatives of sequences of quantified atoms.
struct PatternParser {
    private let text: [Unicode.Scalar]
    private var index = 0
    private(set) var captureCount = 0

    init(_ text: [Unicode.Scalar]) { self.text = text }

    mutating func parseWhole() throws(DeviceError) -> PatternNode {
        let node = try parseAlternatives()
        if index < text.count { throw failure("unmatched ')'") }
        return node
    }

    private var current: Unicode.Scalar? { index < text.count ? text[index] : nil }

    private func failure(_ message: String) -> DeviceError {
        .syntax("pattern", message, at: index)
    }

    private mutating func parseAlternatives() throws(DeviceError) -> PatternNode {
        var options = [try parseSequence()]
        while current == "|" {
            index += 1
            options.append(try parseSequence())
        }
        return options.count == 1 ? options[0] : .alternatives(options)
    }

    private mutating func parseSequence() throws(DeviceError) -> PatternNode {
        var parts: [PatternNode] = []
        while let c = current, c != "|", c != ")" {
            var atom = try parseAtom()
            atom = try parseQuantifiers(on: atom)
            parts.append(atom)
        }
        return parts.count == 1 ? parts[0] : .sequence(parts)
    }

    private mutating func parseQuantifiers(on atom: PatternNode) throws(DeviceError) -> PatternNode {
        guard let c = current else { return atom }
        var bounds: (Int, Int?)
        switch c {
        case "*": bounds = (0, nil)
        case "+": bounds = (1, nil)
        case "?": bounds = (0, 1)
        case "{":
            guard let counted = try parseBraces() else { return atom }
            bounds = counted
        default: return atom
        }
        if c != "{" { index += 1 }
        switch atom {
        case .lineStart, .lineEnd, .repetition: throw failure("nothing to repeat")
        default: break
        }
        var greedy = true
        if current == "?" {
            greedy = false
            index += 1
        }
        return .repetition(atom, min: bounds.0, max: bounds.1, greedy: greedy)
    }

    /// `{n}`, `{n,}` or `{n,m}`; nil (and nothing consumed) when the brace is a literal.
    private mutating func parseBraces() throws(DeviceError) -> (Int, Int?)? {
        let start = index
        index += 1
        let low = parseNumber()
        var high: Int? = low
        if current == "," {
            index += 1
            high = parseNumber()
        }
        guard let low, current == "}" else {
            index = start
            return nil
        }
        index += 1
        if let high, high < low { throw failure("{\(low),\(high)} has its bounds reversed") }
        if low > 1000 || (high ?? 0) > 1000 { throw failure("repetition count above 1000") }
        return (low, high)
    }

    private mutating func parseNumber() -> Int? {
        var value: Int?
        while let c = current, ("0"..."9").contains(c), (value ?? 0) < 100_000 {
            value = (value ?? 0) * 10 + Int(c.value - 48)
            index += 1
        }
        return value
    }

    private mutating func parseAtom() throws(DeviceError) -> PatternNode {
        guard let c = current else { throw failure("unexpected end") }
        index += 1
        switch c {
        case ".": return .any
        case "^": return .lineStart
        case "$": return .lineEnd
        case "[": return .set(try parseSet())
        case "\\": return try parseEscape()
        case "(":
            var capture: Int?
            if current == "?" {
                guard index + 1 < text.count, text[index + 1] == ":" else { throw failure("only (?: groups are supported") }
                index += 2
            } else {
                capture = captureCount
                captureCount += 1
            }
            let inner = try parseAlternatives()
            guard current == ")" else { throw failure("missing ')'") }
            index += 1
            return .group(inner, capture: capture)
        case "*", "+", "?":
            index -= 1
            throw failure("nothing to repeat")
        default:
            return .scalar(c)
        }
    }

    private mutating func parseSet() throws(DeviceError) -> PatternSet {
        var set = PatternSet(items: [], negated: false)
        if current == "^" {
            set.negated = true
            index += 1
        }
        var first = true
        while let c = current, c != "]" || first {
            first = false
            index += 1
            var low = c
            if c == "\\" {
                let escape = try parseEscape()
                guard case .scalar(let literal) = escape else {
                    if case .set(let inner) = escape { set.items += inner.items }
                    continue
                }
                low = literal
            }
            if current == "-", index + 1 < text.count, text[index + 1] != "]" {
                index += 1
                var high = text[index]
                index += 1
                if high == "\\" {
                    guard case .scalar(let literal) = try parseEscape() else {
                        throw failure("a class cannot end a range")
                    }
                    high = literal
                }
                guard low <= high else { throw failure("range \(low)-\(high) is reversed") }
                set.items.append(.range(low, high))
            } else {
                set.items.append(.range(low, low))
            }
        }
        guard current == "]" else { throw failure("missing ']'") }
        index += 1
        return set
    }

    /// The escape after a backslash: a class (`\d`), a control character (`\n`) or a literal.
    private mutating func parseEscape() throws(DeviceError) -> PatternNode {
        guard let c = current else { throw failure("pattern ends with a backslash") }
        index += 1
        func cls(_ item: PatternSet.Item) -> PatternNode { .set(PatternSet(items: [item], negated: false)) }
        switch c {
        case "d": return cls(.digit(negated: false))
        case "D": return cls(.digit(negated: true))
        case "w": return cls(.word(negated: false))
        case "W": return cls(.word(negated: true))
        case "s": return cls(.space(negated: false))
        case "S": return cls(.space(negated: true))
        case "n": return .scalar("\n")
        case "t": return .scalar("\t")
        case "r": return .scalar("\r")
        default:
            // Letters and digits after a backslash are reserved: `\b` or `\1` would silently mean
            // something else here than in other engines.
            if c.properties.isAlphabetic || ("0"..."9").contains(c) {
                index -= 1
                throw failure("unsupported escape \\\(c)")
            }
            return .scalar(c)
        }
    }
}
