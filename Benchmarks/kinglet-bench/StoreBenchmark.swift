import Readings
import Glibc
import Store
import Support

/// The outbox: insert rate by `synchronous` mode and commit style at a realistic tick size;
/// 1,000,000 buffered readings (append rate and latency at the start, at 1M and at the bound,
/// file size, open time); and the drain that a flush after reconnect does (`pending` +
/// `acknowledge`), with memory while it runs. Files go under $KINGLET_BENCH_DIR (default /tmp),
/// so the figures can be taken on the SD card itself.
func storeBenchmark() async throws -> [Figure] {
    let directory = try BenchDirectory()
    var figures: [Figure] = []
    for synchronous in [StoreConfiguration.Synchronous.full, .normal] {
        figures += try await insertRate(directory, synchronous: synchronous, tick: 4, commitEvery: 1, readings: 8_000)
        figures += try await insertRate(directory, synchronous: synchronous, tick: 4, commitEvery: 1000, readings: 200_000)
    }
    figures += try await millionReadings(directory)
    return figures
}

/// Appends `readings` in ticks of `tick`, committing every `commitEvery` readings.
private func insertRate(
    _ directory: BenchDirectory, synchronous: StoreConfiguration.Synchronous, tick: Int, commitEvery: Int, readings: Int
) async throws -> [Figure] {
    let path = directory.fresh("insert.db")
    var configuration = StoreConfiguration(path: path)
    configuration.synchronous = synchronous
    configuration.commitInterval = commitEvery == 1 ? .zero : .seconds(3600)
    configuration.commitBatchSize = commitEvery
    let store = try await ReadingStore(configuration: configuration)
    var ticks = Ticks(tick: tick)
    let start = Stopwatch.now()
    for _ in 0..<(readings / tick) { await store.append(ticks.next()) }
    await store.flush()
    let elapsed = Stopwatch.now() - start
    await store.close()
    let style = commitEvery == 1 ? "commit_each_tick" : "commit_per_\(commitEvery)"
    return [Figure(name: "store.insert.\(synchronous.rawValue).tick\(tick).\(style)", value: Double(readings) / elapsed, unit: "readings/s")]
}

private func millionReadings(_ directory: BenchDirectory) async throws -> [Figure] {
    let path = directory.fresh("million.db")
    let configuration = StoreConfiguration(path: path)  // the defaults: synchronous=full, 1,000,000 bound, 1 s / 1000-reading commits
    var figures: [Figure] = []
    var ticks = Ticks(tick: 4)
    do {
        let store = try await ReadingStore(configuration: configuration)
        let window = 50_000
        figures += await appendWindow(store, &ticks, readings: window, label: "first_50k")
        _ = await appendWindow(store, &ticks, readings: 1_000_000 - 2 * window, label: "")
        figures += await appendWindow(store, &ticks, readings: window, label: "last_50k_to_1M")
        await store.flush()
        let stats = await store.stats()
        figures.append(Figure(name: "store.million.pending", value: Double(stats.pendingReadings), unit: "readings"))
        figures += await appendWindow(store, &ticks, readings: window, label: "at_bound_dropping_oldest")
        await store.close()
    }
    let rssBefore = Stopwatch.rssAnonKiB()
    let openStart = Stopwatch.now()
    let store = try await ReadingStore(configuration: configuration)
    figures.append(Figure(name: "store.million.open_with_quick_check", value: (Stopwatch.now() - openStart) * 1000, unit: "ms"))
    figures.append(Figure(name: "store.million.file_size", value: Double(await store.stats().fileBytes) / 1_048_576, unit: "MiB"))
    figures += try await drain(store, rssBefore: rssBefore, ticks: ticks)
    await store.close()
    return figures
}

/// Appends `readings` and reports the rate and the worst single append (which includes a commit).
private func appendWindow(_ store: ReadingStore, _ ticks: inout Ticks, readings: Int, label: String) async -> [Figure] {
    var worst = 0.0
    var latencies: [Double] = []
    latencies.reserveCapacity(readings / ticks.tick)
    let start = Stopwatch.now()
    for _ in 0..<(readings / ticks.tick) {
        let before = Stopwatch.now()
        await store.append(ticks.next())
        let took = Stopwatch.now() - before
        latencies.append(took)
        worst = max(worst, took)
    }
    let elapsed = Stopwatch.now() - start
    guard !label.isEmpty else { return [] }
    latencies.sort()
    return [
        Figure(name: "store.million.append.\(label)", value: Double(readings) / elapsed, unit: "readings/s"),
        Figure(name: "store.million.append.\(label).p99", value: latencies[latencies.count * 99 / 100] * 1e6, unit: "µs per tick"),
        Figure(name: "store.million.append.\(label).max", value: worst * 1000, unit: "ms per tick"),
    ]
}

/// What a flush after reconnect does: walk `pending` forward 100 batches (400 readings) at
/// a time and acknowledge each window, until the outbox is empty. Meanwhile a device appends
/// a tick every 50 ms (20 Hz), timing each append: the flush must not slow it down.
private func drain(_ store: ReadingStore, rssBefore: Double, ticks: Ticks) async throws -> [Figure] {
    let device = Task {
        var ticks = ticks
        var worst = 0.0
        while !Task.isCancelled {
            let before = Stopwatch.now()
            await store.append(ticks.next())
            worst = max(worst, Stopwatch.now() - before)
            try? await Task.sleep(for: .milliseconds(50))
        }
        return worst
    }
    var drained = 0
    var peakAnon = Stopwatch.rssAnonKiB()
    var peakTotal = Stopwatch.vmRSSKiB()
    let start = Stopwatch.now()
    var cursor: UInt64 = 0
    var round = 0
    while true {
        let batches = try await store.pending(afterSequence: cursor, maxBatches: 100)
        guard let last = batches.last else { break }
        for batch in batches { drained += batch.readings.count }
        cursor = last.lastSequence
        await store.acknowledge(throughSequence: cursor)
        round += 1
        if round % 50 == 0 {
            peakAnon = max(peakAnon, Stopwatch.rssAnonKiB())
            peakTotal = max(peakTotal, Stopwatch.vmRSSKiB())
        }
    }
    device.cancel()
    let worstAppend = await device.value
    await store.flush()  // the deletes of acknowledged rows count too
    let elapsed = Stopwatch.now() - start
    return [
        Figure(name: "store.drain.rate", value: Double(drained) / elapsed, unit: "readings/s"),
        Figure(name: "store.drain.sampler_append_max", value: worstAppend * 1000, unit: "ms per tick"),
        Figure(name: "store.drain.readings", value: Double(drained), unit: "readings"),
        Figure(name: "store.drain.rss_anon_before", value: rssBefore / 1024, unit: "MiB"),
        Figure(name: "store.drain.rss_anon_peak", value: peakAnon / 1024, unit: "MiB"),
        Figure(name: "store.drain.vmrss_peak", value: peakTotal / 1024, unit: "MiB"),
    ]
}

/// Device ticks: `tick` numeric readings per batch, numbered consecutively, 50 ms apart.
private struct Ticks {
    let tick: Int
    var sequence: UInt64 = 0
    var time = Timestamp.now().millisecondsSinceEpoch

    init(tick: Int) { self.tick = tick }

    mutating func next() -> ReadingBatch {
        var readings: [Reading] = []
        readings.reserveCapacity(tick)
        for i in 0..<tick {
            sequence += 1
            readings.append(Reading(
                sequence: sequence, name: "sensor\(i)", value: .numeric(20 + Double(sequence % 100) / 10, decimals: 1),
                unit: "°C", timestamp: Timestamp(millisecondsSinceEpoch: time)))
        }
        time += 50
        return ReadingBatch(readings)
    }
}

/// A scratch directory for benchmark databases, emptied when done.
final class BenchDirectory {
    let path: String
    private var files: [String] = []

    init() throws {
        let base = getenv("KINGLET_BENCH_DIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array((base + "/kinglet-bench-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw SystemError("mkdtemp \(base)")
        }
        path = String(cString: made)
    }

    /// A path in the directory, with any earlier file of that name removed.
    func fresh(_ name: String) -> String {
        let file = path + "/" + name
        for suffix in ["", "-wal", "-shm"] { unlink(file + suffix) }
        files.append(file)
        return file
    }

    deinit {
        for file in files {
            for suffix in ["", "-wal", "-shm"] { unlink(file + suffix) }
        }
        rmdir(path)
    }
}
