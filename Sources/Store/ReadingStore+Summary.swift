package import Support
import Readings

extension ReadingStore {
    /// Whether acknowledged readings are kept (`history_max_readings` or `history_max_age`):
    /// without, the store holds only what waits to be sent.
    package nonisolated var keepsHistory: Bool { configuration.keepsHistory }

    /// What `name` read within `from...to`: the file's readings and those still held in memory.
    package func summary(name: String, from: Timestamp, to: Timestamp) throws(StoreError) -> ReadingSummary {
        var summary = try database?.summary(name: name, from: from, to: to) ?? ReadingSummary()
        for batch in memory.batches + buffer.batches {
            for reading in batch.readings where reading.name == name && reading.timestamp >= from && reading.timestamp <= to {
                switch reading.value {  // what the query counts: numeric, int and long values
                case .numeric(let number, _)?: summary.add(number)
                case .int(let number)?: summary.add(Double(number))
                case .long(let number)?: summary.add(Double(number))
                default: break
                }
            }
        }
        return summary
    }
}
