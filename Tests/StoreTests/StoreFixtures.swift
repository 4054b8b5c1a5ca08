import Readings
import Foundation
@testable import Store
import Support
import Synchronization

/// A directory under the system temp dir, removed when the value goes away.
final class TemporaryDirectory: Sendable {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "kinglet-store-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    var database: String { path + "/outbox.db" }

    func files() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: path).sorted()) ?? []
    }
}

/// Numbers readings the way the sampler does: consecutively, one batch per tick.
struct Sampler {
    var next: UInt64
    var time: Int64 = 1_700_000_000_000

    init(after last: UInt64) { next = last + 1 }

    /// A batch of `count` numeric readings named `s0`, `s1`, ... taken at `time`.
    mutating func batch(_ count: Int = 3, at time: Int64? = nil) -> ReadingBatch {
        let stamp = Timestamp(millisecondsSinceEpoch: time ?? self.time)
        let readings = (0..<count).map { i in
            Reading(
                sequence: next + UInt64(i), name: "s\(i)", value: .numeric(Double(next) + Double(i) / 10, decimals: 1),
                unit: "°C", timestamp: stamp)
        }
        next += UInt64(count)
        self.time += 1000
        return ReadingBatch(readings)
    }
}

/// A configuration for tests: a file in `directory`, commits at once, no fsync, quick retries.
func testConfiguration(_ directory: TemporaryDirectory, _ change: (inout StoreConfiguration) -> Void = { _ in }) -> StoreConfiguration {
    var configuration = StoreConfiguration(path: directory.database)
    configuration.synchronous = .off
    configuration.commitInterval = .zero
    configuration.retryInterval = .milliseconds(20)
    change(&configuration)
    return configuration
}

/// Every reading the file holds, through a separate read-only connection: what survives.
func storedSequences(_ path: String, pendingOnly: Bool = false) throws -> [UInt64] {
    var sequences: [UInt64] = []
    try StoreReader(path: path).forEachRecord(pendingOnly: pendingOnly) { sequences.append($0.reading.sequence) }
    return sequences
}

extension Array where Element == ReadingBatch {
    var sequences: [UInt64] { flatMap { $0.readings.map(\.sequence) } }
}

extension StoreMode {
    var errorKind: StoreError.Kind? {
        if case .degraded(let error, _) = self { return error.kind }
        return nil
    }
}
