@testable import Store
import Support
import Testing
import TestSupport

@Suite("acknowledgement and history")
struct AcknowledgeTests {
    @Test("acknowledging removes readings from pending; without history they leave the file")
    func acknowledgeWithoutHistory() async throws {
        let directory = TemporaryDirectory()
        let store = try await ReadingStore(configuration: testConfiguration(directory))
        var sampler = Sampler(after: 0)
        for _ in 0..<4 { await store.append(sampler.batch(3)) }
        await store.acknowledge(throughSequence: 6)
        #expect(try await store.pending(afterSequence: 0, maxBatches: 10).map(\.firstSequence) == [7, 10])
        // Asking from before the acknowledged point starts after it.
        #expect(try await store.pending(afterSequence: 3, maxBatches: 10).map(\.firstSequence) == [7, 10])
        let stats = await store.stats()
        #expect(stats.pendingReadings == 6)
        #expect(stats.oldestPending?.sequence == 7)
        #expect(stats.newestPending?.sequence == 12)
        #expect(stats.historyReadings == 0)
        #expect(try storedSequences(directory.database) == Array(7...12))

        // Going backwards or repeating does nothing; beyond what exists is clamped.
        await store.acknowledge(throughSequence: 3)
        #expect(await store.stats().acknowledgedThrough == 6)
        await store.acknowledge(throughSequence: 1000)
        #expect(await store.stats().acknowledgedThrough == 12)
        #expect(await store.stats().pendingReadings == 0)
        #expect(try storedSequences(directory.database).isEmpty)
    }

    @Test("with history on, acknowledged readings stay for historical requests, trimmed by count")
    func historyByCount() async throws {
        let directory = TemporaryDirectory()
        let store = try await ReadingStore(configuration: testConfiguration(directory) { $0.historyMaxReadings = 5 })
        var sampler = Sampler(after: 0)
        for _ in 0..<4 { await store.append(sampler.batch(3)) }
        await store.acknowledge(throughSequence: 9)
        await store.flush()
        let stats = await store.stats()
        #expect(stats.pendingReadings == 3)
        #expect(stats.historyReadings == 5)
        #expect(try storedSequences(directory.database) == Array(5...12))
        #expect(try storedSequences(directory.database, pendingOnly: true) == [10, 11, 12])
        await store.close()
        let reopened = try await ReadingStore(configuration: testConfiguration(directory) { $0.historyMaxReadings = 5 })
        #expect(await reopened.stats().historyReadings == 5)
        #expect(await reopened.stats().pendingReadings == 3)
    }

    @Test("history is trimmed by age")
    func historyByAge() async throws {
        let directory = TemporaryDirectory()
        let clock = ManualClock()
        let store = try await ReadingStore(configuration: testConfiguration(directory) { $0.historyMaxAge = .seconds(60) }, clock: clock)
        var sampler = Sampler(after: 0)
        sampler.time = 1_700_000_000_000
        await store.append(sampler.batch(2, at: 1_700_000_000_000))
        await store.append(sampler.batch(2, at: 1_700_000_030_000))
        await store.append(sampler.batch(2, at: 1_700_000_090_000))
        await store.acknowledge(throughSequence: 6)
        clock.advance(by: .seconds(100))  // now = +100 s: the cutoff is +40 s
        await store.append(sampler.batch(2, at: 1_700_000_100_000))
        #expect(try storedSequences(directory.database) == [5, 6, 7, 8])
        #expect(await store.stats().historyReadings == 2)
    }

    @Test("history answers from/to/name queries over acknowledged, pending and uncommitted readings", arguments: [
        (from: nil, to: nil, names: nil, limit: 100, expected: [1, 2, 3, 4, 5, 6, 7, 8, 9]),
        (from: 1_700_000_001_000, to: 1_700_000_001_000, names: nil, limit: 100, expected: [4, 5, 6]),
        (from: 1_700_000_001_000, to: nil, names: ["s1"], limit: 100, expected: [5, 8]),
        (from: nil, to: 1_700_000_001_500, names: ["s0", "s2"], limit: 3, expected: [1, 3, 4]),
        (from: 1_700_000_005_000, to: nil, names: nil, limit: 100, expected: []),
    ] as [(from: Int64?, to: Int64?, names: Set<String>?, limit: Int, expected: [UInt64])])
    func historyQueries(from: Int64?, to: Int64?, names: Set<String>?, limit: Int, expected: [UInt64]) async throws {
        let directory = TemporaryDirectory()
        let store = try await ReadingStore(configuration: testConfiguration(directory) {
            $0.historyMaxReadings = 100
            $0.commitInterval = .seconds(3600)
            $0.commitBatchSize = 6
        })
        var sampler = Sampler(after: 0)
        for _ in 0..<3 { await store.append(sampler.batch(3)) }  // the last batch stays uncommitted
        await store.acknowledge(throughSequence: 3)
        let readings = try await store.history(
            from: from.map { Timestamp(millisecondsSinceEpoch: $0) }, to: to.map { Timestamp(millisecondsSinceEpoch: $0) },
            names: names, limit: limit)
        #expect(readings.map(\.sequence) == expected)
    }
}

@Suite("large acknowledgements")
struct LargeAcknowledgeTests {
    @Test("a huge acknowledgement is deleted by follow-up commits until the file holds only what is pending")
    func deletionInSteps() async throws {
        let directory = TemporaryDirectory()
        let store = try await ReadingStore(configuration: testConfiguration(directory) {
            $0.commitInterval = .seconds(3600)
            $0.commitBatchSize = 4000
        })
        var sampler = Sampler(after: 0)
        for _ in 0..<1000 { await store.append(sampler.batch(12)) }
        await store.flush()
        await store.acknowledge(throughSequence: 11_988)
        await store.append(sampler.batch(12))
        await store.flush()
        #expect(try storedSequences(directory.database) == Array(11_989...12_012))

        for _ in 0..<1000 { await store.append(sampler.batch(12)) }
        await store.flush()
        await store.acknowledge(throughSequence: 24_012)
        await store.append(sampler.batch(12))
        await store.commit()
        #expect(await eventually { (try? storedSequences(directory.database)) == Array(24_013...24_024) })
        #expect(await store.stats().pendingReadings == 12)
    }

    @Test("deleteOldest removes exactly the oldest rows asked for")
    func deleteOldestCounts() async throws {
        let directory = TemporaryDirectory()
        let store = try await ReadingStore(configuration: testConfiguration(directory))
        var sampler = Sampler(after: 0)
        for _ in 0..<10 { await store.append(sampler.batch(10)) }
        await store.close()
        let database = OutboxDatabase(try SQLiteConnection(path: directory.database, mode: .readWrite))
        #expect(try database.deleteOldest(through: 50, count: 20) == 20)
        #expect(try database.deleteOldest(through: 50, count: 100) == 30)
        #expect(try storedSequences(directory.database) == Array(51...100))
    }
}
