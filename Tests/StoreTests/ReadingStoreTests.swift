import Readings
import Foundation
@testable import Store
import Support
import Testing
import TestSupport

@Suite("outbox basics")
struct ReadingStoreTests {
    @Test("a fresh store starts at sequence 0, and the last sequence survives reopening even with an empty outbox")
    func sequencePersists() async throws {
        let directory = TemporaryDirectory()
        let store = try await ReadingStore(configuration: testConfiguration(directory))
        #expect(await store.lastSequence() == 0)
        var sampler = Sampler(after: 0)
        for _ in 0..<4 { await store.append(sampler.batch(3)) }
        await store.acknowledge(throughSequence: 12)
        #expect(await store.stats().pendingReadings == 0)
        await store.close()

        let reopened = try await ReadingStore(configuration: testConfiguration(directory))
        #expect(await reopened.lastSequence() == 12)
        #expect(await reopened.stats().acknowledgedThrough == 12)
        #expect(try await reopened.pending(afterSequence: 0, maxBatches: 10).isEmpty)
    }

    @Test("pending returns batches in order and grouped exactly as appended, paged by maxBatches")
    func orderAndGrouping() async throws {
        let directory = TemporaryDirectory()
        let store = try await ReadingStore(configuration: testConfiguration(directory))
        var sampler = Sampler(after: 0)
        var appended: [ReadingBatch] = []
        for size in [1, 4, 2, 5, 3] {
            let batch = sampler.batch(size)
            appended.append(batch)
            await store.append(batch)
        }
        #expect(try await store.pending(afterSequence: 0, maxBatches: 100) == appended)
        let firstPage = try await store.pending(afterSequence: 0, maxBatches: 2)
        #expect(firstPage == Array(appended[0..<2]))
        let secondPage = try await store.pending(afterSequence: firstPage.last!.lastSequence, maxBatches: 2)
        #expect(secondPage == Array(appended[2..<4]))
        #expect(secondPage.map(\.firstSequence) == [6, 8])

        await store.close()
        let reopened = try await ReadingStore(configuration: testConfiguration(directory))
        #expect(try await reopened.pending(afterSequence: 0, maxBatches: 100) == appended)
    }

    @Test("every kind of value, flag and awkward string round-trips through the file")
    func valuesRoundTrip() async throws {
        let directory = TemporaryDirectory()
        let store = try await ReadingStore(configuration: testConfiguration(directory))
        let time = Timestamp(millisecondsSinceEpoch: 1_700_000_000_123)
        let values: [FieldValue?] = [
            .numeric(23.45, decimals: 2), .numeric(-0.0, decimals: nil), .numeric(.infinity, decimals: 0),
            .int(Int32.min), .long(Int64.max), .boolean(true), .boolean(false), .string(""), .string("a\u{0}b\"c,\nd"),
            .enumeration("on", dataType: "state"), .dateTime(Timestamp(millisecondsSinceEpoch: -1500)),
            .duration("PT30S"), nil,
        ]
        let readings = values.enumerated().map { i, value in
            Reading(
                sequence: UInt64(i + 1), name: "näme \(i) ☃", value: value, unit: i % 2 == 0 ? "" : "°C",
                fieldType: FieldType.allCases[i % FieldType.allCases.count],
                qos: value == nil ? [.error, .warning] : .automaticReadout, timestamp: time,
                errorText: value == nil ? "sensor \"gone\"" : nil)
        }
        await store.append(ReadingBatch(readings))
        await store.close()
        let reopened = try await ReadingStore(configuration: testConfiguration(directory))
        #expect(try await reopened.pending(afterSequence: 0, maxBatches: 1) == [ReadingBatch(readings)])
    }

    @Test("NaN comes back as NaN (SQLite stores it as NULL)")
    func nanRoundTrips() async throws {
        let directory = TemporaryDirectory()
        let store = try await ReadingStore(configuration: testConfiguration(directory))
        await store.append(ReadingBatch([Reading(sequence: 1, name: "x", value: .numeric(.nan, decimals: 1), timestamp: Timestamp(secondsSinceEpoch: 0))]))
        let value = try await store.pending(afterSequence: 0, maxBatches: 1).first?.readings.first?.value
        guard case .numeric(let number, let decimals) = value else {
            Issue.record("expected a numeric value, got \(String(describing: value))")
            return
        }
        #expect(number.isNaN)
        #expect(decimals == 1)
    }

    @Test("a batch not numbered above the last sequence is dropped and counted, not stored")
    func badNumberingRefused() async throws {
        let directory = TemporaryDirectory()
        let store = try await ReadingStore(configuration: testConfiguration(directory))
        var sampler = Sampler(after: 0)
        await store.append(sampler.batch(3))
        var stale = Sampler(after: 1)
        await store.append(stale.batch(2))
        await store.append(ReadingBatch([]))
        #expect(try await store.pending(afterSequence: 0, maxBatches: 10).sequences == [1, 2, 3])
        #expect(await store.stats().dropped == 2)
        #expect(await store.lastSequence() == 3)
    }

    @Test("write batching: nothing reaches the file until the batch size is reached or the interval passes")
    func writeBatching() async throws {
        let directory = TemporaryDirectory()
        let store = try await ReadingStore(configuration: testConfiguration(directory) {
            $0.commitInterval = .seconds(3600)
            $0.commitBatchSize = 10
        })
        var sampler = Sampler(after: 0)
        for _ in 0..<3 { await store.append(sampler.batch(3)) }
        #expect(try storedSequences(directory.database).isEmpty)
        #expect(await store.stats().uncommittedReadings == 9)
        #expect(try await store.pending(afterSequence: 0, maxBatches: 10).isEmpty)
        await store.append(sampler.batch(3))
        #expect(try storedSequences(directory.database) == Array(1...12))
        #expect(await store.stats().uncommittedReadings == 0)

        let otherDirectory = TemporaryDirectory()
        let clock = ManualClock()
        let timed = try await ReadingStore(configuration: testConfiguration(otherDirectory) {
            $0.commitInterval = .milliseconds(30)
            $0.commitBatchSize = 1000
        }, clock: clock)
        var other = Sampler(after: 0)
        await timed.append(other.batch(2))
        clock.advance(by: .milliseconds(29))
        #expect(try await timed.pending(afterSequence: 0, maxBatches: 10).isEmpty)
        clock.advance(by: .milliseconds(1))
        #expect(try await eventually { try await timed.pending(afterSequence: 0, maxBatches: 10).sequences == [1, 2] })
    }

    @Test("updates() wakes the publisher when committed batches become available")
    func updatesStream() async throws {
        let directory = TemporaryDirectory()
        let store = try await ReadingStore(configuration: testConfiguration(directory) {
            $0.commitInterval = .seconds(3600)
            $0.commitBatchSize = 4
        })
        var iterator = await store.updates().makeAsyncIterator()
        var sampler = Sampler(after: 0)
        await store.append(sampler.batch(2))
        await store.append(sampler.batch(2))
        #expect(await iterator.next() == 4)
        await store.append(sampler.batch(4))
        #expect(await iterator.next() == 8)

        // A late subscriber hears about what is already pending.
        var late = await store.updates().makeAsyncIterator()
        #expect(await late.next() == 8)
        await store.close()
        #expect(await iterator.next() == nil)
    }
}
