/// A table while its document is being read. It is a class so that headers, dotted keys and
/// arrays of tables can all reach into the same table and add to it; it remembers how it was
/// defined, which decides what may still be added to it.
final class TableNode {
    /// How a table came to exist; TOML forbids defining a table twice, and forbids dotted keys
    /// from reopening a table that a header or another section defined.
    enum Origin: Equatable {
        /// Only named as a parent by a header (`[a.b]` implies `a`); a header may still define it.
        case implicit
        /// Defined by its own `[header]`, or an element of `[[header]]`.
        case header
        /// Defined by dotted keys in the given section (counted by headers); only that
        /// section may add to it.
        case dotted(section: Int)
    }

    enum Slot {
        /// A value, including inline tables and static arrays, which are complete when read.
        case value(TOMLValue, line: Int)
        case table(TableNode)
        case tables(TableArray)

        var line: Int {
            switch self {
            case .value(_, let line): line
            case .table(let node): node.line
            case .tables(let array): array.line
            }
        }
    }

    /// The tables of `[[header]]` sections, with the line of the first. A class, so that
    /// appending the next element does not copy the array held in the parent's slot.
    final class TableArray {
        private(set) var nodes: [TableNode]
        let line: Int

        init(first: TableNode) {
            nodes = [first]
            line = first.line
        }

        func append(_ node: TableNode) { nodes.append(node) }
    }

    let path: [String]
    var line: Int
    var origin: Origin
    private var order: [String] = []
    private var slots: [String: Slot] = [:]

    init(path: [String], line: Int, origin: Origin) {
        self.path = path
        self.line = line
        self.origin = origin
    }

    subscript(key: String) -> Slot? {
        slots[key]
    }

    func set(_ key: String, _ slot: Slot) {
        if slots.updateValue(slot, forKey: key) == nil { order.append(key) }
    }

    /// The finished, immutable table.
    func freeze(file: String, isArrayElement: Bool = false) -> TOMLTable {
        var table = TOMLTable(file: file, line: line, path: KeyPath.display(path), isArrayElement: isArrayElement)
        for key in order {
            switch slots[key]! {
            case .value(let value, let line):
                table.set(key, value, line: line)
            case .table(let node):
                table.set(key, .table(node.freeze(file: file)), line: node.line)
            case .tables(let array):
                let elements = array.nodes.map { TOMLValue.table($0.freeze(file: file, isArrayElement: true)) }
                table.set(key, .array(elements), line: array.line)
            }
        }
        return table
    }
}

/// Keys as messages show them: bare where TOML allows it, quoted otherwise.
enum KeyPath {
    static func display(_ keys: [String]) -> String {
        keys.map(display).joined(separator: ".")
    }

    static func display(_ key: String) -> String {
        if !key.isEmpty, key.utf8.allSatisfy(ASCII.isBareKey) { return key }
        var quoted = "\""
        for c in key.unicodeScalars {
            switch c {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\t": quoted += "\\t"
            default: quoted.unicodeScalars.append(c)
            }
        }
        return quoted + "\""
    }
}
