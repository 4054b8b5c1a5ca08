import Foundation
import Readings
@testable import Store
import Support
import Testing
import TestSupport

@Suite("full disk, unwritable path, corrupt file")
struct FailureTests {
    @Test("full disk (max_page_count): clear error, stored readings intact, memory bounded, recovery when space returns")
    func fullDisk() async throws {
        let directory = TemporaryDirectory()
        let clock = ManualClock()
        let store = try await ReadingStore(configuration: testConfiguration(directory) {
            $0.maxFileBytes = 64 << 10
            $0.memoryMaxReadings = 60
        }, clock: clock)
        var sampler = Sampler(after: 0)
        var appended = 0
        while await store.stats().mode == .normal {
            await store.append(sampler.batch(10))
            appended += 10
            try #require(appended < 100_000, "the file cap never filled")
        }
        let full = await store.stats()
        #expect(full.mode.errorKind == .full)
        #expect(full.memoryReadings == 10)
        let stored = try storedSequences(directory.database)
        #expect(stored == Array(1...UInt64(appended - 10)))

        for _ in 0..<20 { await store.append(sampler.batch(10)) }
        let held = await store.stats()
        #expect(held.memoryReadings == 60)
        #expect(held.dropped == 150)
        #expect(held.pendingReadings == stored.count + 60)
        #expect(try storedSequences(directory.database) == stored)
        let newest = UInt64(appended + 200)
        let pending = try await store.pending(afterSequence: 0, maxBatches: 100_000)
        #expect(pending.sequences == stored + Array((newest - 59)...newest))

        // Space returns: the server acknowledges what the file holds, the retry writes memory out.
        await store.acknowledge(throughSequence: stored.last!)
        #expect(await store.stats().mode.errorKind == .full, "nothing is retried before the retry interval")
        clock.advance(by: .milliseconds(20))
        #expect(await eventually { await store.stats().mode == .normal })
        let recovered = await store.stats()
        #expect(recovered.memoryReadings == 0)
        #expect(recovered.pendingReadings == 60)
        #expect(recovered.dropped == 150)
        #expect(try storedSequences(directory.database) == Array((newest - 59)...newest))
    }

    @Test("an unwritable path: runs from memory, numbers from the clock, adopts the file once it can be created")
    func unwritablePath() async throws {
        let directory = TemporaryDirectory()
        let blocker = directory.path + "/state"
        #expect(FileManager.default.createFile(atPath: blocker, contents: Data("not a directory".utf8)))
        let path = blocker + "/outbox.db"
        let clock = ManualClock()
        let store = try await ReadingStore(
            configuration: testConfiguration(directory) {
                $0.path = path
                $0.memoryMaxReadings = 9
            }, clock: clock)
        #expect(await store.stats().mode.errorKind == .unwritable)
        let start = await store.lastSequence()
        #expect(start == 1_700_000_000_000_000)
        var sampler = Sampler(after: start)
        for _ in 0..<4 { await store.append(sampler.batch(3)) }
        #expect(await store.stats().memoryReadings == 9)
        #expect(await store.stats().dropped == 3)
        #expect(try await store.pending(afterSequence: 0, maxBatches: 10).map(\.firstSequence) == [start + 4, start + 7, start + 10])
        await store.acknowledge(throughSequence: start + 6)

        try FileManager.default.removeItem(atPath: blocker)
        try FileManager.default.createDirectory(atPath: blocker, withIntermediateDirectories: false)
        clock.advance(by: .milliseconds(20))  // the retry interval: the timer armed at start-up fires
        #expect(await eventually { await store.stats().mode == .normal })
        #expect(try storedSequences(path) == Array((start + 7)...(start + 12)))
        await store.close()
        let reopened = try await ReadingStore(configuration: testConfiguration(directory) { $0.path = path })
        #expect(await reopened.lastSequence() == start + 12)
        #expect(await reopened.stats().dropped == 3)
        #expect(await reopened.stats().acknowledgedThrough == start + 6)
    }

    @Test("a file that appears later numbered above the clock-based numbers is moved aside, not merged")
    func lateFileWithHigherNumbers() async throws {
        let directory = TemporaryDirectory()
        let state = directory.path + "/state"
        let path = state + "/outbox.db"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: false)
        let earlier = try await ReadingStore(configuration: testConfiguration(directory) { $0.path = path })
        var high = Sampler(after: 5_000_000)
        await earlier.append(high.batch(3))
        await earlier.close()
        try FileManager.default.moveItem(atPath: state, toPath: directory.path + "/away")
        #expect(FileManager.default.createFile(atPath: state, contents: Data()))

        // The clock is behind (1970 plus a second): the store numbers from 1,000,000.
        let clock = ManualClock(wallOrigin: Timestamp(millisecondsSinceEpoch: 1000))
        let store = try await ReadingStore(configuration: testConfiguration(directory) { $0.path = path }, clock: clock)
        let start = await store.lastSequence()
        #expect(start == 1_000_000)
        var sampler = Sampler(after: start)
        await store.append(sampler.batch(2))
        try FileManager.default.removeItem(atPath: state)
        try FileManager.default.moveItem(atPath: directory.path + "/away", toPath: state)
        clock.advance(by: .milliseconds(20))
        #expect(await eventually { await store.stats().mode == .normal })
        #expect(try storedSequences(path) == [1_000_001, 1_000_002])
        #expect(try storedSequences(state + "/outbox.db.renumbered-19700101T000001Z") == [5_000_001, 5_000_002, 5_000_003])
        await store.append(sampler.batch(1))
        #expect(try storedSequences(path) == [1_000_001, 1_000_002, 1_000_003])
    }

    @Test("a read-only database file: degraded, and the stored readings are left alone", .enabled(if: getuid() != 0, "root ignores file permissions"))
    func readOnlyFile() async throws {
        let directory = TemporaryDirectory()
        let first = try await ReadingStore(configuration: testConfiguration(directory))
        var sampler = Sampler(after: 0)
        await first.append(sampler.batch(3))
        await first.close()
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: directory.database)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: directory.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path) }
        let store = try await ReadingStore(configuration: testConfiguration(directory))
        #expect(await store.stats().mode.errorKind == .unwritable)
        #expect(try storedSequences(directory.database) == [1, 2, 3])
    }

    @Test("a file that is not a database is moved aside with its -wal, and a fresh file is used")
    func garbageFile() async throws {
        let directory = TemporaryDirectory()
        let garbage = Data(repeating: 0x5A, count: 8192)
        try garbage.write(to: URL(fileURLWithPath: directory.database))
        try Data("wal junk".utf8).write(to: URL(fileURLWithPath: directory.database + "-wal"))
        let clock = ManualClock()
        let store = try await ReadingStore(configuration: testConfiguration(directory), clock: clock)
        #expect(await store.stats().mode == .normal)
        let aside = directory.database + ".corrupt-20231114T221320Z"
        #expect(FileManager.default.contents(atPath: aside) == garbage)
        #expect(FileManager.default.contents(atPath: aside + "-wal") == Data("wal junk".utf8))
        // The old numbering is unknown: new numbers start from the clock so item ids never repeat.
        let start = await store.lastSequence()
        #expect(start == 1_700_000_000_000_000)
        var sampler = Sampler(after: start)
        await store.append(sampler.batch(2))
        #expect(try storedSequences(directory.database) == [start + 1, start + 2])
    }

    @Test("a database with damaged pages fails quick_check at open and is replaced")
    func damagedPages() async throws {
        let directory = TemporaryDirectory()
        let store = try await ReadingStore(configuration: testConfiguration(directory))
        var sampler = Sampler(after: 0)
        for _ in 0..<200 { await store.append(sampler.batch(10)) }
        await store.close()
        let handle = try #require(FileHandle(forUpdatingAtPath: directory.database))
        // Page 6: the first page of readings after the tables' and the index's root pages.
        try handle.seek(toOffset: 4096 * 5 + 200)
        try handle.write(contentsOf: Data(repeating: 0xA7, count: 3000))
        try handle.close()

        let reopened = try await ReadingStore(configuration: testConfiguration(directory), clock: ManualClock())
        #expect(await reopened.stats().mode == .normal)
        #expect(await reopened.stats().pendingReadings == 0)
        #expect(directory.files().contains("outbox.db.corrupt-20231114T221320Z"))
        #expect(await reopened.lastSequence() == 1_700_000_000_000_000)
    }
}
