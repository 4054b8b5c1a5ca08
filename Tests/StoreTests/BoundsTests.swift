@testable import Store
import Support
import Testing

@Suite("bounds and overflow")
struct BoundsTests {
    /// Appends 10 batches of 3 to a store bounded by `change`, returns the store and the directory.
    private func fill(
        _ change: @escaping (inout StoreConfiguration) -> Void, clock: ManualClock = ManualClock()
    ) async throws -> (ReadingStore, TemporaryDirectory) {
        let directory = TemporaryDirectory()
        let store = try await ReadingStore(configuration: testConfiguration(directory, change), clock: clock)
        var sampler = Sampler(after: 0)
        for _ in 0..<10 { await store.append(sampler.batch(3)) }
        return (store, directory)
    }

    @Test("a count bound with drop_oldest drops whole oldest batches and counts them")
    func countDropOldest() async throws {
        let (store, directory) = try await fill { $0.maxReadings = 10 }
        let pending = try await store.pending(afterSequence: 0, maxBatches: 100)
        #expect(pending.map(\.firstSequence) == [22, 25, 28])
        #expect(await store.stats().dropped == 21)
        #expect(await store.stats().pendingReadings == 9)
        #expect(try storedSequences(directory.database) == Array(22...30))
        await store.close()
        let reopened = try await ReadingStore(configuration: testConfiguration(directory) { $0.maxReadings = 10 })
        #expect(await reopened.stats().dropped == 21)
        #expect(await reopened.stats().pendingReadings == 9)
    }

    @Test("a count bound with reject_new keeps the oldest and refuses the rest, still numbering upward")
    func countRejectNew() async throws {
        let (store, _) = try await fill {
            $0.maxReadings = 10
            $0.overflow = .rejectNew
        }
        #expect(try await store.pending(afterSequence: 0, maxBatches: 100).sequences == Array(1...9))
        #expect(await store.stats().dropped == 21)
        #expect(await store.lastSequence() == 30)
        // Once acknowledged readings free room, new batches are accepted again.
        await store.acknowledge(throughSequence: 9)
        var sampler = Sampler(after: 30)
        await store.append(sampler.batch(3))
        #expect(try await store.pending(afterSequence: 0, maxBatches: 100).sequences == [31, 32, 33])
        #expect(await store.stats().dropped == 21)
    }

    @Test("a byte bound drops the oldest batches until the bytes fit", arguments: [StoreConfiguration.OverflowPolicy.dropOldest, .rejectNew])
    func byteBound(policy: StoreConfiguration.OverflowPolicy) async throws {
        var probe = Sampler(after: 0)
        let batchBytes = BatchQueue.totals(of: probe.batch(3)).bytes
        let (store, _) = try await fill {
            $0.maxBytes = batchBytes * 4 + batchBytes / 2
            $0.overflow = policy
        }
        let pending = try await store.pending(afterSequence: 0, maxBatches: 100)
        let stats = await store.stats()
        #expect(pending.count == 4)
        #expect(pending.map(\.firstSequence) == (policy == .dropOldest ? [19, 22, 25, 28] : [1, 4, 7, 10]))
        #expect(stats.pendingBytes == batchBytes * 4)
        #expect(stats.dropped == 18)
    }

    @Test("the TTL drops pending readings older than max_age, with either policy", arguments: [StoreConfiguration.OverflowPolicy.dropOldest, .rejectNew])
    func ageBound(policy: StoreConfiguration.OverflowPolicy) async throws {
        let clock = ManualClock()
        // Batches are stamped 1 s apart from the clock's start; now moves to +12 s with a 5 s TTL.
        let (store, _) = try await fill({
            $0.maxAge = .seconds(5)
            $0.overflow = policy
        }, clock: clock)
        clock.advance(by: .seconds(12))
        var sampler = Sampler(after: 30)
        await store.append(sampler.batch(3, at: 1_700_000_012_000))
        let pending = try await store.pending(afterSequence: 0, maxBatches: 100)
        #expect(pending.map(\.firstSequence) == [22, 25, 28, 31])
        #expect(await store.stats().dropped == 21)
    }

    @Test("the oldest pending batches go even when some of them are in flight; acknowledging past them still works")
    func dropWhileInFlight() async throws {
        let (store, _) = try await fill { $0.maxReadings = 6 }
        let inFlight = try await store.pending(afterSequence: 0, maxBatches: 1)
        var sampler = Sampler(after: 30)
        await store.append(sampler.batch(3))
        await store.acknowledge(throughSequence: inFlight[0].lastSequence)
        #expect(try await store.pending(afterSequence: 0, maxBatches: 100).map(\.firstSequence) == [28, 31])
        #expect(await store.stats().pendingReadings == 6)
    }
}
