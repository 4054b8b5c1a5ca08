/// A small regular-expression matcher for pulling a value out of a file or command output
/// (`t=(-?\d+)`, `throttled=0x([0-9a-f]+)`).
///
/// Written here rather than using Swift's `Regex`, whose engine adds 1.4 MB to a static binary
/// (measured: 6.08 MB → 7.48 MB stripped) for a feature profiles use in a handful of places.
/// Supported: literals, `.`, `[...]` sets with ranges and `^` negation, `\d \w \s \D \W \S`,
/// escapes `\. \\ \( \n \t ...`, groups `(...)` and `(?:...)`, `|`, quantifiers `* + ? {n} {n,}
/// {n,m}` (greedy, or lazy with a trailing `?`), and `^`/`$` at line boundaries. Matching
/// backtracks with a step budget, so a pathological pattern fails instead of spinning.
package struct TextPattern: Sendable, Hashable, CustomStringConvertible {
    /// The pattern as written in the profile.
    package let source: String
    let root: PatternNode
    let captureCount: Int

    /// Compiles `source`; the error message says what is wrong and where (a character offset).
    package init(_ source: String) throws(DeviceError) {
        var parser = PatternParser(Array(source.unicodeScalars))
        self.root = try parser.parseWhole()
        self.captureCount = parser.captureCount
        self.source = source
    }

    package var description: String { source }

    /// The text of the first match's first capture group, or of the whole match when the pattern
    /// has no group. Nil when nothing matches (or the step budget runs out).
    package func firstCapture(in text: String) -> String? {
        let scalars = Array(text.unicodeScalars)
        var matcher = PatternMatcher(input: scalars, captureCount: captureCount)
        for start in 0...scalars.count {
            if let end = matcher.match(root, at: start) {
                let range = captureCount > 0 ? matcher.captures[0] : start..<end
                guard let range else { return nil }
                var out = String.UnicodeScalarView()
                out.append(contentsOf: scalars[range])
                return String(out)
            }
            if matcher.exhausted { return nil }
        }
        return nil
    }
}

extension DeviceError {
    /// Text that does not parse (a pattern, a JSON path, a JSON document): what is wrong and
    /// where, as a 1-based position.
    static func syntax(_ what: String, _ message: String, at offset: Int, unit: String = "character") -> DeviceError {
        DeviceError("parse \(what)", message: "\(message) at \(unit) \(offset + 1)")
    }
}

/// The compiled pattern tree.
indirect enum PatternNode: Sendable, Hashable {
    case scalar(Unicode.Scalar)
    case any
    case set(PatternSet)
    case lineStart, lineEnd
    case group(PatternNode, capture: Int?)
    case sequence([PatternNode])
    case alternatives([PatternNode])
    case repetition(PatternNode, min: Int, max: Int?, greedy: Bool)

    /// Whether the node always consumes exactly one scalar: such repetitions run as a loop
    /// instead of recursing, so `.*` over a long output cannot exhaust the stack.
    var singleScalar: Bool {
        switch self {
        case .scalar, .any, .set: true
        default: false
        }
    }

    func accepts(_ c: Unicode.Scalar) -> Bool {
        switch self {
        case .scalar(let s): s == c
        case .any: c != "\n"
        case .set(let set): set.contains(c)
        default: false
        }
    }
}

/// A bracket expression or a class escape such as `\d`.
struct PatternSet: Sendable, Hashable {
    enum Item: Sendable, Hashable {
        case range(Unicode.Scalar, Unicode.Scalar)
        case digit(negated: Bool)
        case word(negated: Bool)
        case space(negated: Bool)
    }

    var items: [Item]
    var negated: Bool

    func contains(_ c: Unicode.Scalar) -> Bool {
        items.contains { item in
            switch item {
            case .range(let lo, let hi): lo <= c && c <= hi
            case .digit(let n): ("0"..."9").contains(c) != n
            case .word(let n): (c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "_") != n
            case .space(let n): c.properties.isWhitespace != n
            }
        } != negated
    }
}

/// Backtracking matcher over Unicode scalars, with capture slots and a step budget.
struct PatternMatcher {
    let input: [Unicode.Scalar]
    var captures: [Range<Int>?]
    private var steps = 0
    private static let stepBudget = 2_000_000
    var exhausted: Bool { steps > Self.stepBudget }

    init(input: [Unicode.Scalar], captureCount: Int) {
        self.input = input
        self.captures = Array(repeating: nil, count: captureCount)
    }

    /// The end of a match of `node` starting at `start`, or nil.
    mutating func match(_ node: PatternNode, at start: Int) -> Int? {
        for i in captures.indices { captures[i] = nil }
        var end: Int?
        _ = run(node, start) { _, position in
            end = position
            return true
        }
        return end
    }

    /// Matches `node` at `i` and calls `next` with each possible end, longest first for greedy
    /// repetitions, until `next` accepts.
    private mutating func run(_ node: PatternNode, _ i: Int, _ next: (inout PatternMatcher, Int) -> Bool) -> Bool {
        steps += 1
        if steps > Self.stepBudget { return false }
        switch node {
        case .scalar, .any, .set:
            guard i < input.count, node.accepts(input[i]) else { return false }
            return next(&self, i + 1)
        case .lineStart:
            guard i == 0 || input[i - 1] == "\n" else { return false }
            return next(&self, i)
        case .lineEnd:
            guard i == input.count || input[i] == "\n" else { return false }
            return next(&self, i)
        case .group(let inner, let capture):
            return run(inner, i) { matcher, end in
                guard let capture else { return next(&matcher, end) }
                let saved = matcher.captures[capture]
                matcher.captures[capture] = i..<end
                if next(&matcher, end) { return true }
                matcher.captures[capture] = saved
                return false
            }
        case .sequence(let parts):
            return runSequence(parts[...], i, next)
        case .alternatives(let options):
            for option in options where run(option, i, next) { return true }
            return false
        case .repetition(let inner, let min, let max, let greedy):
            if inner.singleScalar { return runSimpleRepetition(inner, min, max, greedy, i, next) }
            return runRepetition(inner, min, max, greedy, count: 0, i, next)
        }
    }

    private mutating func runSequence(
        _ parts: ArraySlice<PatternNode>, _ i: Int, _ next: (inout PatternMatcher, Int) -> Bool
    ) -> Bool {
        guard let first = parts.first else { return next(&self, i) }
        let rest = parts.dropFirst()
        return run(first, i) { matcher, position in matcher.runSequence(rest, position, next) }
    }

    private mutating func runSimpleRepetition(
        _ inner: PatternNode, _ min: Int, _ max: Int?, _ greedy: Bool, _ i: Int,
        _ next: (inout PatternMatcher, Int) -> Bool
    ) -> Bool {
        var available = 0
        let limit = max ?? Int.max
        while available < limit, i + available < input.count, inner.accepts(input[i + available]) {
            available += 1
        }
        guard available >= min else { return false }
        let counts = greedy ? Array((min...available).reversed()) : Array(min...available)
        for count in counts {
            steps += 1
            if steps > Self.stepBudget { return false }
            if next(&self, i + count) { return true }
        }
        return false
    }

    private mutating func runRepetition(
        _ inner: PatternNode, _ min: Int, _ max: Int?, _ greedy: Bool, count: Int, _ i: Int,
        _ next: (inout PatternMatcher, Int) -> Bool
    ) -> Bool {
        let mayStop = count >= min
        let mayGoOn = max.map { count < $0 } ?? true
        if !greedy, mayStop, next(&self, i) { return true }
        if mayGoOn {
            let more = run(inner, i) { matcher, end in
                // An iteration that consumed nothing would loop forever; it can stand for all
                // the iterations still required.
                guard end != i else { return next(&matcher, end) }
                return matcher.runRepetition(inner, min, max, greedy, count: count + 1, end, next)
            }
            if more { return true }
        }
        if greedy, mayStop { return next(&self, i) }
        return false
    }
}
