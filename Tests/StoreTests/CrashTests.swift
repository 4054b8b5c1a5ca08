import Foundation
import Readings
@testable import Store
import Support
import Testing

@Suite("crash safety")
struct CrashTests {
    /// Set in the child process: the database it writes until it is killed.
    static let childVariable = "KINGLET_STORE_CRASH_CHILD"

    @Test("readings committed before a SIGKILL are intact after reopening, and numbering continues above them")
    func survivesSigkill() async throws {
        if let path = ProcessInfo.processInfo.environment[Self.childVariable] {
            try await writeUntilKilled(path)
            return
        }
        let directory = TemporaryDirectory()
        let child = Process()
        child.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        child.arguments = ["--testing-library", "swift-testing", "--filter", "CrashTests/survivesSigkill"]
        child.environment = ProcessInfo.processInfo.environment.merging([Self.childVariable: directory.database]) { $1 }
        let output = Pipe()
        child.standardOutput = output
        child.standardError = FileHandle.nullDevice
        try child.run()

        // The child prints "committed N acknowledged M" after each commit returns.
        var reported: (committed: UInt64, acknowledged: UInt64)?
        var text = ""
        while (reported?.committed ?? 0) < 2000 {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
            let lines = text.split(separator: "\n").filter { $0.hasPrefix("committed ") }
            if let last = lines.last?.split(separator: " "), last.count == 4, let c = UInt64(last[1]), let a = UInt64(last[3]) {
                reported = (c, a)
            }
        }
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        let last = try #require(reported, "the child reported no commit")
        // Killed by us, not ended on its own: a child that crashed would also die of a signal.
        #expect(child.terminationReason == .uncaughtSignal && child.terminationStatus == SIGKILL)

        let store = try await ReadingStore(configuration: StoreConfiguration(path: directory.database))
        let lastSequence = await store.lastSequence()
        #expect(lastSequence >= last.committed)
        let stats = await store.stats()
        #expect(stats.acknowledgedThrough >= last.acknowledged)
        let pending = try await store.pending(afterSequence: 0, maxBatches: Int.max)
        #expect(pending.sequences == Array((stats.acknowledgedThrough + 1)...lastSequence))
        #expect(pending.allSatisfy { $0.readings.count == 5 && ($0.firstSequence - 1) % 5 == 0 })
    }

    /// The child: appends batches of 5 with synchronous=FULL and a commit per batch,
    /// acknowledging some, and reports each commit on stdout until the parent kills it.
    private func writeUntilKilled(_ path: String) async throws {
        var configuration = StoreConfiguration(path: path)
        configuration.commitInterval = .zero
        let store = try await ReadingStore(configuration: configuration)
        var sampler = Sampler(after: await store.lastSequence())
        for _ in 0..<1_000_000 {
            let batch = sampler.batch(5)
            await store.append(batch)
            let acknowledged = batch.lastSequence > 500 ? batch.lastSequence - 500 : 0
            await store.acknowledge(throughSequence: acknowledged)
            writeAll(fd: 1, Array("committed \(batch.lastSequence) acknowledged \(acknowledged)\n".utf8))
        }
        try await Task.sleep(for: .seconds(3600))
    }

    @Test("a second connection sees every committed reading while the writer stays open")
    func committedIsVisibleWithoutClose() async throws {
        let directory = TemporaryDirectory()
        let writer = try await ReadingStore(configuration: testConfiguration(directory) { $0.synchronous = .full })
        var sampler = Sampler(after: 0)
        for _ in 0..<50 { await writer.append(sampler.batch(4)) }
        await writer.acknowledge(throughSequence: 40)
        #expect(try storedSequences(directory.database, pendingOnly: true) == Array(41...200))
        let reader = try StoreReader(path: directory.database)
        let stats = try reader.stats()
        #expect(stats.lastSequence == 200)
        #expect(stats.acknowledgedThrough == 40)
        #expect(stats.pendingReadings == 160)
        #expect(await writer.stats().pendingReadings == 160)
    }
}
