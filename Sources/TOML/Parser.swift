/// Reads a whole document into tables, and enforces TOML's rules on what may be defined where:
/// no key twice, no table twice, no adding to inline tables or static arrays, and no dotted
/// keys reopening a table defined elsewhere.
struct Parser {
    private var scanner: Scanner
    private let root: TableNode
    private var current: TableNode
    /// Counts table headers. Tables made by dotted keys remember the section that made them,
    /// since only that section may add to them.
    private var section = 0
    /// Deep enough for any real config; stops hostile input from exhausting the stack.
    private let maxDepth = 64
    /// The most names in a table's or value's full path (`[a.b]` then `c.d = 1` is four). Every
    /// table made along a path keeps its own copy of the path, so without a cap one key of
    /// thousands of parts costs time and memory in their square (8,000 parts in a 16 KB file
    /// took 6 s and 600 MB).
    static let maxKeyParts = 64
    /// Keys whose values must never appear in an error message (see `parseKeyValue`).
    private let secretKeys: Set<String>

    init(bytes: [UInt8], file: String, secretKeys: Set<String> = []) {
        scanner = Scanner(bytes: bytes, file: file)
        self.secretKeys = secretKeys
        root = TableNode(path: [], line: 1, origin: .header)
        current = root
    }

    mutating func parseDocument() throws(TOMLError) -> TOMLTable {
        while true {
            scanner.skipSpaces()
            try scanner.skipComment()
            if scanner.isAtEnd { break }
            if try scanner.consumeNewline() { continue }
            if scanner.current == ASCII.openBracket {
                try parseHeader()
            } else {
                let key = try parseKeyValue(into: current, depth: 0)
                try Self.hidingSecret(of: key, if: isSecret(key)) { () throws(TOMLError) in
                    try scanner.expectEndOfLine(after: "the value of '\(KeyPath.display(key))'")
                }
            }
        }
        return root.freeze(file: scanner.file)
    }

    // MARK: Headers

    private mutating func parseHeader() throws(TOMLError) {
        let line = scanner.line
        let isArray = scanner.peek(1) == ASCII.openBracket
        scanner.advance(isArray ? 2 : 1)
        let key = try scanner.parseKey(maxParts: Self.maxKeyParts)
        guard scanner.consume(ASCII.closeBracket), !isArray || scanner.consume(ASCII.closeBracket) else {
            throw scanner.error("expected '\(isArray ? "]]" : "]")' after table name '\(KeyPath.display(key))'")
        }
        try scanner.expectEndOfLine(after: isArray ? "[[\(KeyPath.display(key))]]" : "[\(KeyPath.display(key))]")
        section += 1
        var parent = root
        for name in key.dropLast() {
            parent = try headerParent(parent[name], in: parent, name: name, line: line)
        }
        current =
            isArray
            ? try appendTable(to: parent, name: key[key.count - 1], line: line)
            : try defineTable(in: parent, name: key[key.count - 1], line: line)
    }

    /// A table a header passes through; it is made if missing, and for an array of tables the
    /// header means its last element.
    private func headerParent(_ slot: TableNode.Slot?, in parent: TableNode, name: String, line: Int) throws(TOMLError)
        -> TableNode
    {
        switch slot {
        case nil:
            let node = TableNode(path: parent.path + [name], line: line, origin: .implicit)
            parent.set(name, .table(node))
            return node
        case .table(let node): return node
        case .tables(let array): return array.nodes[array.nodes.count - 1]
        case .value(let value, let defined): throw notATable(parent.path + [name], value, defined: defined, line: line)
        }
    }

    private func defineTable(in parent: TableNode, name: String, line: Int) throws(TOMLError) -> TableNode {
        let path = parent.path + [name]
        switch parent[name] {
        case nil:
            let node = TableNode(path: path, line: line, origin: .header)
            parent.set(name, .table(node))
            return node
        case .table(let node) where node.origin == .implicit:
            node.origin = .header
            node.line = line
            return node
        case .table(let node) where node.origin == .header:
            throw error("table [\(KeyPath.display(path))] defined twice (first on line \(node.line))", line: line)
        case .table(let node):
            throw error("table [\(KeyPath.display(path))] was already defined by dotted keys on line \(node.line)", line: line)
        case .tables(let array):
            throw error("[\(KeyPath.display(path))] is already an array of tables (line \(array.line))", line: line)
        case .value(let value, let defined):
            throw notATable(path, value, defined: defined, line: line)
        }
    }

    private func appendTable(to parent: TableNode, name: String, line: Int) throws(TOMLError) -> TableNode {
        let path = parent.path + [name]
        let node = TableNode(path: path, line: line, origin: .header)
        switch parent[name] {
        case nil:
            parent.set(name, .tables(TableNode.TableArray(first: node)))
        case .tables(let array):
            array.append(node)
        case .table(let existing):
            throw error("[[\(KeyPath.display(path))]] cannot be an array of tables: it is a table (line \(existing.line))", line: line)
        case .value(.array, let defined):
            throw error("cannot append to static array '\(KeyPath.display(path))' (defined on line \(defined))", line: line)
        case .value(let value, let defined):
            throw notATable(path, value, defined: defined, line: line)
        }
        return node
    }

    // MARK: Key/value pairs

    /// Reads `key = value` into `table` and returns the key, for messages.
    private func isSecret(_ key: [String]) -> Bool { secretKeys.contains(key[key.count - 1]) }

    /// Errors quote what they found (`invalid value 'hunter2'`, `found 'd'`) and go to stderr and
    /// the journal: for a secret key, a value written without quotes or with text after it must
    /// not end up there, so the error says where and what, but not the text.
    private static func hidingSecret<T>(
        of key: [String], if secret: Bool, _ body: () throws(TOMLError) -> T
    ) throws(TOMLError) -> T {
        do {
            return try body()
        } catch where secret {
            throw TOMLError(
                file: error.file, line: error.line,
                message: "the value of '\(KeyPath.display(key))' is not valid TOML (a string must be quoted, "
                    + "with nothing but a comment after it); it is not shown because it may be a secret")
        }
    }

    private mutating func parseKeyValue(into table: TableNode, depth: Int) throws(TOMLError) -> [String] {
        let line = scanner.line
        let key = try scanner.parseKey(maxParts: Self.maxKeyParts, inside: table.path.count)
        guard scanner.consume(ASCII.equals) else {
            throw scanner.error("expected '=' after key '\(KeyPath.display(key))'")
        }
        scanner.skipSpaces()
        if scanner.isAtEndOfLine { throw scanner.error("missing value for key '\(KeyPath.display(key))'") }
        let value = try Self.hidingSecret(of: key, if: isSecret(key)) { () throws(TOMLError) in
            try parseValue(path: table.path + key, inArray: false, depth: depth)
        }
        var target = table
        for name in key.dropLast() {
            target = try dottedParent(target[name], in: target, name: name, line: line)
        }
        let name = key[key.count - 1]
        if let existing = target[name] {
            throw error("duplicate key '\(KeyPath.display(key))' (first defined on line \(existing.line))", line: line)
        }
        target.set(name, .value(value, line: line))
        return key
    }

    /// A table a dotted key passes through; made if missing. Tables defined by a header, or by
    /// dotted keys of another section, are closed to dotted keys.
    private func dottedParent(_ slot: TableNode.Slot?, in parent: TableNode, name: String, line: Int) throws(TOMLError)
        -> TableNode
    {
        let path = parent.path + [name]
        switch slot {
        case nil:
            let node = TableNode(path: path, line: line, origin: .dotted(section: section))
            parent.set(name, .table(node))
            return node
        case .table(let node):
            switch node.origin {
            case .implicit:
                // Dotted keys now define the table, so later errors point at them.
                node.origin = .dotted(section: section)
                node.line = line
            case .dotted(let made) where made == section: break
            default:
                throw error(
                    "cannot add to table [\(KeyPath.display(path))] (defined on line \(node.line)) with dotted keys here",
                    line: line)
            }
            return node
        case .tables(let array):
            throw error("cannot add to array of tables [[\(KeyPath.display(path))]] (line \(array.line)) with dotted keys", line: line)
        case .value(let value, let defined):
            throw notATable(path, value, defined: defined, line: line)
        }
    }

    // MARK: Values

    private mutating func parseValue(path: [String], inArray: Bool, depth: Int) throws(TOMLError) -> TOMLValue {
        switch scanner.current {
        case ASCII.quote, ASCII.apostrophe: return .string(try scanner.parseString())
        case ASCII.openBracket: return try parseArray(path: path, depth: depth + 1)
        case ASCII.openBrace: return try parseInlineTable(path: path, inArray: inArray, depth: depth + 1)
        default: return try scanner.parseAtom()
        }
    }

    private mutating func parseArray(path: [String], depth: Int) throws(TOMLError) -> TOMLValue {
        guard depth <= maxDepth else { throw scanner.error("arrays and inline tables nested too deeply") }
        let opened = scanner.line
        scanner.advance()
        var items: [TOMLValue] = []
        while true {
            try scanner.skipBlank()
            if scanner.consume(ASCII.closeBracket) { return .array(items) }
            if scanner.isAtEnd { break }
            items.append(try parseValue(path: path, inArray: true, depth: depth))
            try scanner.skipBlank()
            if scanner.consume(ASCII.comma) { continue }
            if scanner.consume(ASCII.closeBracket) { return .array(items) }
            if scanner.isAtEnd { break }
            throw scanner.error("expected ',' or ']' after an array element, found \(scanner.currentDescription)")
        }
        throw error("unterminated array", line: opened)
    }

    private mutating func parseInlineTable(path: [String], inArray: Bool, depth: Int) throws(TOMLError) -> TOMLValue {
        guard depth <= maxDepth else { throw scanner.error("arrays and inline tables nested too deeply") }
        let node = TableNode(path: path, line: scanner.line, origin: .implicit)
        scanner.advance()
        scanner.skipSpaces()
        if !scanner.consume(ASCII.closeBrace) {
            while true {
                scanner.skipSpaces()
                if scanner.current == ASCII.closeBrace { throw scanner.error("trailing comma in inline table") }
                if scanner.isAtEndOfLine { throw inlineTableInterrupted(opened: node.line) }
                let key = try parseKeyValue(into: node, depth: depth)
                scanner.skipSpaces()
                if scanner.consume(ASCII.comma) { continue }
                if scanner.consume(ASCII.closeBrace) { break }
                if scanner.isAtEndOfLine { throw inlineTableInterrupted(opened: node.line) }
                let found = isSecret(key) ? "more after the value of '\(KeyPath.display(key))' (not shown: it may be a secret)" : scanner.currentDescription
                throw scanner.error("expected ',' or '}' in inline table, found \(found)")
            }
        }
        return .table(node.freeze(file: scanner.file, isArrayElement: inArray))
    }

    private func inlineTableInterrupted(opened: Int) -> TOMLError {
        switch scanner.current {
        case nil: error("unterminated inline table", line: opened)
        case ASCII.hash: scanner.error("comment inside inline table (an inline table must be on one line)")
        default: scanner.error("newline inside inline table (an inline table must be on one line)")
        }
    }

    // MARK: Errors

    private func error(_ message: String, line: Int) -> TOMLError {
        scanner.error(message, line: line)
    }

    private func notATable(_ path: [String], _ value: TOMLValue, defined: Int, line: Int) -> TOMLError {
        let shown = KeyPath.display(path)
        if case .table = value {
            return error("cannot extend inline table '\(shown)' (defined on line \(defined))", line: line)
        }
        return error("'\(shown)' is already \(value.typeWithArticle) (defined on line \(defined)), not a table", line: line)
    }
}
