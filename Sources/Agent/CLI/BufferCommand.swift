import Store
import Support

/// `kinglet buffer stats|export`: reads the outbox database, also while the agent runs. The
/// file is opened read-only; WAL gives this process a consistent snapshot without blocking
/// the agent, and a busy timeout covers the moments when SQLite must wait for a lock.
enum BufferCommand: CLICommand {
    static let name = "buffer"
    static let summary = "Inspect the reading outbox, also while the agent runs."
    static let usage = "kinglet buffer stats|export --config FILE | --database PATH [--format csv|jsonl] [--pending]"
    static let valueOptions: Set<String> = ["--config", "--database", "--format"]
    static let flagOptions: Set<String> = ["--pending"]

    private enum Action {
        case stats
        /// Every stored reading (history and pending), or only the pending ones.
        case export(ExportFormat, pendingOnly: Bool)
    }

    static func run(_ arguments: Arguments) async -> Int32 {
        let action: Action
        let path: String
        do throws(UsageError) {
            action = try parseAction(arguments)
            path = try databasePath(arguments)
        } catch {
            printError("kinglet buffer: \(error)\nusage: \(usage)")
            return ExitStatus.usage
        }
        do throws(StoreError) {
            let reader = try StoreReader(path: path)
            switch action {
            case .stats:
                print(statsText(try reader.stats(), path: path), terminator: "")
            case .export(let format, let pendingOnly):
                try export(reader, format: format, pendingOnly: pendingOnly)
            }
            return ExitStatus.success
        } catch {
            printError("kinglet buffer: \(error)")
            return ExitStatus.failure
        }
    }

    /// The database to read: `--database PATH`, or the `[store] path` of `--config FILE`.
    static func databasePath(_ arguments: Arguments) throws(UsageError) -> String {
        if let path = arguments.value("--database") { return path }
        guard let config = arguments.value("--config") else { throw UsageError("--config FILE or --database PATH is required") }
        do {
            return try AgentConfiguration.load(path: config).store.path
        } catch {
            throw UsageError("\(error)")
        }
    }

    private static func parseAction(_ arguments: Arguments) throws(UsageError) -> Action {
        guard arguments.positional.count == 1 else { throw UsageError("say either 'stats' or 'export'") }
        switch arguments.positional[0] {
        case "stats":
            guard arguments.value("--format") == nil, !arguments.has("--pending") else {
                throw UsageError("--format and --pending apply to 'export'")
            }
            return .stats
        case "export":
            let name = arguments.value("--format") ?? "csv"
            guard let format = ExportFormat(rawValue: name) else { throw UsageError("unknown format '\(name)': use csv or jsonl") }
            return .export(format, pendingOnly: arguments.has("--pending"))
        case let other:
            throw UsageError("unknown action '\(other)': use stats or export")
        }
    }

    /// Streams the readings to stdout in 64 KiB writes: memory stays flat for any outbox size.
    private static func export(_ reader: StoreReader, format: ExportFormat, pendingOnly: Bool) throws(StoreError) {
        var output: [UInt8] = []
        output.reserveCapacity(80 << 10)
        if let header = format.header { output += header.utf8 }
        try reader.forEachRecord(pendingOnly: pendingOnly) { record in
            output += format.line(record).utf8
            if output.count >= 64 << 10 {
                writeAll(fd: 1, output)
                output.removeAll(keepingCapacity: true)
            }
        }
        writeAll(fd: 1, output)
    }

    static func statsText(_ stats: StoreStats, path: String) -> String {
        func point(_ point: SequencePoint?) -> String {
            point.map { "#\($0.sequence) at \($0.timestamp.xsDateTime)" } ?? "-"
        }
        let rows: [(String, String)] = [
            ("database", "\(path) (\(byteText(stats.fileBytes)) with its log)"),
            ("pending", "\(stats.pendingReadings) readings, \(byteText(Int64(stats.pendingBytes)))"),
            ("oldest pending", point(stats.oldestPending)),
            ("newest pending", point(stats.newestPending)),
            ("acknowledged", "through #\(stats.acknowledgedThrough)"),
            ("history", "\(stats.historyReadings) readings"),
            ("dropped", "\(stats.dropped) readings"),
            ("last sequence", "#\(stats.lastSequence)"),
        ]
        return rows.map { $0.0 + String(repeating: " ", count: 16 - $0.0.count) + $0.1 + "\n" }.joined()
    }

    /// `532 B`, `12.5 KiB`, `3.1 MiB`: one decimal, no Foundation.
    static func byteText(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB"]
        var unit = 0
        var scale: Int64 = 1
        while unit < units.count - 1 && bytes >= scale * 1024 {
            scale *= 1024
            unit += 1
        }
        guard unit > 0 else { return "\(bytes) B" }
        let tenths = (bytes * 10 + scale / 2) / scale
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }
}
