/// A command line split into options and positional words, checked against what a command accepts.
///
/// Hand-written rather than swift-argument-parser: that package pulls in FoundationEssentials,
/// which would cost more than half of the binary-size budget for four subcommands.
package struct Arguments: Sendable {
    package private(set) var positional: [String] = []
    package private(set) var values: [String: String] = [:]
    package private(set) var flags: Set<String> = []

    /// Parses `words` (without the program and subcommand names). `valueOptions` take a value
    /// (`--config FILE` or `--config=FILE`); `flagOptions` do not.
    package init(_ words: [String], valueOptions: Set<String>, flagOptions: Set<String>) throws(UsageError) {
        var i = 0
        while i < words.count {
            let word = words[i]
            i += 1
            // A negative number is a value (`kinglet set offset -5`), not an option.
            guard word.hasPrefix("-"), word != "-", word.dropFirst().first?.isNumber != true else {
                positional.append(word)
                continue
            }
            var name = word
            var inlineValue: String?
            if let eq = word.firstIndex(of: "=") {
                name = String(word[..<eq])
                inlineValue = String(word[word.index(after: eq)...])
            }
            if valueOptions.contains(name) {
                if let inlineValue {
                    values[name] = inlineValue
                } else {
                    guard i < words.count else { throw UsageError("\(name) needs a value") }
                    values[name] = words[i]
                    i += 1
                }
            } else if flagOptions.contains(name), inlineValue == nil {
                flags.insert(name)
            } else {
                throw UsageError("unknown option \(name)")
            }
        }
    }

    package func value(_ name: String) -> String? { values[name] }

    package func required(_ name: String) throws(UsageError) -> String {
        guard let v = values[name] else { throw UsageError("\(name) is required") }
        return v
    }

    package func has(_ flag: String) -> Bool { flags.contains(flag) }
}

/// A command line that does not fit the command: printed with the usage text, exit status 64 (EX_USAGE).
package struct UsageError: Error, Sendable, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}
