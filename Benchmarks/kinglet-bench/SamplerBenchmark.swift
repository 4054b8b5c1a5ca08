import Devices
import Support
import Synchronization

/// The device's CPU cost per 1,000 readings and its memory with 50 sensors: simulated sources
/// and /proc sources ticked by a manual clock (the sampling path alone), then a real-time run at
/// 20 Hz with the system clock (adds timer wake-ups). A consumer drains the batches, as the
/// store does.
func samplerBenchmark() async throws -> [Figure] {
    var figures: [Figure] = []
    let baseline = Stopwatch.rssAnonKiB()

    let simulated = profile(count: 50) { i in
        .simulated(SimulatedSignal(mean: 20 + Double(i), swing: 2, period: .seconds(60), noise: 0.5, walk: 0.1))
    }
    // A million readings: long enough that a per-reading leak would show as growth.
    let (simCPU, simSamples, simMemory) = await ticked(simulated, ticks: 20_000)
    figures.append(Figure(name: "device.simulated.cpu", value: simCPU / Double(simSamples) * 1e6, unit: "ms CPU per 1,000 readings"))
    figures.append(Figure(name: "device.simulated.rss_anon_50_sensors", value: simMemory.steady - baseline, unit: "KiB above baseline"))
    figures.append(Figure(name: "device.simulated.rss_anon_growth", value: simMemory.end - simMemory.steady, unit: "KiB over the last 900,000 readings"))

    let metrics: [ProcMetric] = [.load1, .memoryAvailable, .uptime, .networkReceived, .processes]
    let proc = profile(count: 50) { i in .proc(metrics[i % metrics.count], interface: nil) }
    let (procCPU, procSamples, _) = await ticked(proc, ticks: 400)
    figures.append(Figure(name: "device.proc.cpu", value: procCPU / Double(procSamples) * 1e6, unit: "ms CPU per 1,000 readings"))

    // Simulated values change every sample, so every reading is kept and published here.
    let (realCPU, realReadings) = await realTime(simulated, seconds: 3)
    figures.append(Figure(name: "device.realtime_20hz.cpu", value: realCPU / Double(realReadings) * 1e6, unit: "ms CPU per 1,000 readings"))
    figures.append(Figure(name: "device.realtime_20hz.readings", value: Double(realReadings), unit: "readings in 3 s (50 sensors at 20 Hz)"))
    return figures
}

/// 50 sensors of one kind, no deadband (every sample is kept and published).
private func profile(count: Int, _ source: (Int) -> SourceSpec) -> DeviceProfile {
    DeviceProfile(
        name: "bench",
        sensors: (0..<count).map { i in
            SensorDefinition(name: "sensor_\(i)", source: source(i), decimals: 3, interval: .milliseconds(50))
        })
}

/// Ticks a manual clock `ticks` times; returns CPU seconds, readings taken (kept or not: /proc
/// figures that did not change are filtered out) and RssAnon after a tenth of the run and at its
/// end, each measured once the consumer has caught up (so a backlog is not counted as growth).
private func ticked(_ profile: DeviceProfile, ticks: Int) async -> (Double, Int, (steady: Double, end: Double)) {
    let clock = ManualClock()
    let device = Device(profile: profile, environment: DeviceEnvironment(clock: clock))
    let consumed = Counter()
    let consumer = Task {
        for await batch in device.batches { consumed.add(batch.readings.count) }
    }
    func settledMemory() async -> Double {
        let published = Int(await device.lastSequence)
        while consumed.value < published { await Task.yield() }
        return Stopwatch.rssAnonKiB()
    }
    var steady = 0.0
    let start = Stopwatch.cpuSeconds()
    for tick in 0..<ticks {
        await device.tick()
        clock.advance(by: .milliseconds(50))
        if tick == ticks / 10 { steady = await settledMemory() }
    }
    let cpu = Stopwatch.cpuSeconds() - start
    let end = await settledMemory()
    await device.stop()
    await consumer.value
    return (cpu, ticks * profile.sensors.count, (steady, end))
}

/// A count shared between the consumer task and the measuring code.
private final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    func add(_ n: Int) { count.add(n, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}

/// Runs the device's own loop on the system clock for `seconds`.
private func realTime(_ profile: DeviceProfile, seconds: Int) async -> (Double, Int) {
    let device = Device(profile: profile)
    let consumer = Task { await device.batches.reduce(0) { $0 + $1.readings.count } }
    let start = Stopwatch.cpuSeconds()
    await device.start()
    try? await Task.sleep(for: .seconds(seconds))
    await device.stop()
    let cpu = Stopwatch.cpuSeconds() - start
    return (cpu, await consumer.value)
}
