import Readings
@testable import Store
import Support
import Testing

/// A held reading's item id must never be published twice for different readings: a restart
/// numbers on from the file's last sequence, so numbers above it are not published.
@Suite("sequence numbers of readings held in memory")
struct NumberingTests {
    @Test("while the file cannot be written at all, held readings wait unpublished; a restart reuses none of the published numbers")
    func lockedFile() async throws {
        let directory = TemporaryDirectory()
        let configuration = testConfiguration(directory) {
            $0.busyTimeout = .milliseconds(10)
            $0.retryInterval = .seconds(3600)  // no retry: the test decides when the file is back
        }
        let store = try await ReadingStore(configuration: configuration)
        var sampler = Sampler(after: 0)
        await store.append(sampler.batch(3))
        // Another process holds the write lock: every write fails, even the numbering alone.
        let other = try SQLiteConnection(path: directory.database, mode: .readWrite, busyTimeoutMilliseconds: 0)
        try other.execute("BEGIN IMMEDIATE")
        await store.append(sampler.batch(3))
        await store.append(sampler.batch(3))
        #expect(await store.stats().mode.errorKind == .busy)
        #expect(await store.stats().memoryReadings == 6)
        let published = try await store.pending(afterSequence: 0, maxBatches: 100)
        #expect(published.sequences == [1, 2, 3])

        // The agent dies here; the lock goes; a restarted agent numbers from the file.
        try other.execute("ROLLBACK")
        let restarted = try await ReadingStore(configuration: configuration)
        #expect(await restarted.lastSequence() == 3)
        #expect(published.sequences.allSatisfy { $0 <= 3 })
        await restarted.close()

        // Had it lived, the retry would write the held readings and publish them.
        await store.retry()
        #expect(await store.stats().mode == .normal)
        #expect(try await store.pending(afterSequence: 0, maxBatches: 100).sequences == Array(1...9))
    }

    @Test("a full file takes the numbering alone, so held readings are published and a restart numbers above them")
    func fullFile() async throws {
        let directory = TemporaryDirectory()
        let configuration = testConfiguration(directory) {
            $0.maxFileBytes = 64 << 10
            $0.retryInterval = .seconds(3600)
        }
        let store = try await ReadingStore(configuration: configuration)
        var sampler = Sampler(after: 0)
        while await store.stats().mode == .normal {
            await store.append(sampler.batch(10))
        }
        await store.append(sampler.batch(10))
        let newest = await store.lastSequence()
        let stored = try storedSequences(directory.database)
        #expect(stored.last! < newest)
        let published = try await store.pending(afterSequence: 0, maxBatches: 100_000)
        #expect(published.sequences.last == newest, "held readings whose numbers are recorded are published")

        let restarted = try await ReadingStore(configuration: configuration)
        #expect(await restarted.lastSequence() == newest)
    }
}
