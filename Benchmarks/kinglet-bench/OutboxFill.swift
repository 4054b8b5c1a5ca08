import Readings
import Store
import Support

/// `kinglet-bench outbox-fill --database PATH --readings N [--tick K]`: writes a backlog of `N`
/// pending readings, `K` per batch (one device tick, 50 ms apart, ending now), through the
/// real store. Benchmarks/bench_outbox.py starts the agent on it to time the flush after a
/// reconnect and to watch the device's pace with a million readings buffered.
func outboxFill(_ words: [String]) async throws -> [Figure] {
    var options: [String: String] = [:]
    for pair in stride(from: 0, to: words.count - 1, by: 2) { options[words[pair]] = words[pair + 1] }
    guard let path = options["--database"], let readings = options["--readings"].flatMap({ Int($0) }) else {
        throw BenchmarkError("usage: outbox-fill --database PATH --readings N [--tick K]")
    }
    let tick = options["--tick"].flatMap { Int($0) } ?? 3
    var configuration = StoreConfiguration(path: path)
    configuration.synchronous = .off
    configuration.commitInterval = .seconds(3600)
    configuration.commitBatchSize = 5000
    configuration.maxReadings = max(configuration.maxReadings, readings)
    configuration.maxBytes = max(configuration.maxBytes, readings * 200)
    let store = try await ReadingStore(configuration: configuration)
    let names = ["temperature", "humidity", "pressure", "wind", "rain", "light"]
    var sequence = await store.lastSequence()
    let batches = readings / tick
    var time = Timestamp.now().millisecondsSinceEpoch - Int64(batches) * 50
    let start = Stopwatch.now()
    for _ in 0..<batches {
        var batch: [Reading] = []
        batch.reserveCapacity(tick)
        for i in 0..<tick {
            sequence += 1
            batch.append(Reading(
                sequence: sequence, name: names[i % names.count], value: .numeric(20 + Double(sequence % 100) / 10, decimals: 1),
                unit: "°C", timestamp: Timestamp(millisecondsSinceEpoch: time)))
        }
        time += 50
        await store.append(ReadingBatch(batch))
    }
    await store.close()
    return [Figure(name: "outbox.fill", value: Double(batches * tick) / (Stopwatch.now() - start), unit: "readings/s (store alone, synchronous=off)")]
}
