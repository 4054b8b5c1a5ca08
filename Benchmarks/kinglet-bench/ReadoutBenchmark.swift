import Devices
import Session
import Store
import Support
import XEPs
import XMLStream
import XMPPCore

/// What the agent itself spends on one XEP-0323 readout and one XEP-0325 set of the simulated
/// device, without the network: the request stanza parsed from bytes, the handler's reply and
/// data messages built and serialized, as the router and session would. Per-request wall time
/// (p50/p99) and process CPU time; Benchmarks/bench_latency.py measures the same through Prosody.
func readoutBenchmark() async throws -> [Figure] {
    Logger.configure(level: .warning)  // as the latency benchmark runs the agent: no line per set
    let directory = try BenchDirectory()
    let store = try await ReadingStore(configuration: StoreConfiguration(path: directory.fresh("readout.db")))
    let device = Device(profile: try DeviceProfile.load(path: "Devices/simulated.toml"))
    await device.start()
    let sink = ByteSink()
    let readout = SensorDataHandler(sender: sink, device: device, store: store, nodeID: "simulated")
    let control = ControlHandler(device: device, nodeID: "simulated")
    let from = try JID("alice@example.org/bench")

    let readouts = try await measure(count: 20_000) { i in
        let iq = try XMLElement(parsing: "<iq type='get' id='r\(i)' from='\(from)'><req xmlns='urn:xmpp:iot:sensordata' seqnr='\(i)' momentary='true'/></iq>")
        let reply = await readout.handle(iq, from: from, role: .operator)
        await sink.write(reply)
        await readout.afterReply(reply, to: iq, from: from, role: .operator)
    }
    let sets = try await measure(count: 20_000) { i in
        let iq = try XMLElement(parsing: "<iq type='set' id='c\(i)' from='\(from)'><set xmlns='urn:xmpp:iot:control'><boolean name='relay' value='\(i % 2 == 0)'/></set></iq>")
        await sink.write(await control.handle(iq, from: from, role: .operator))
    }
    await device.stop()
    await store.close()
    return [
        Figure(name: "readout.agent.wall.p50", value: readouts.p50, unit: "µs per momentary readout (parse, accepted, fields message)"),
        Figure(name: "readout.agent.wall.p99", value: readouts.p99, unit: "µs"),
        Figure(name: "readout.agent.cpu", value: readouts.cpu, unit: "µs of CPU per readout"),
        Figure(name: "control.agent.wall.p50", value: sets.p50, unit: "µs per relay set (parse, validate, write, reply)"),
        Figure(name: "control.agent.wall.p99", value: sets.p99, unit: "µs"),
        Figure(name: "control.agent.cpu", value: sets.cpu, unit: "µs of CPU per set"),
    ]
}

/// Serializes what would go to the socket, keeping only a byte count.
actor ByteSink: StanzaSender {
    private var buffer: [UInt8] = []
    private(set) var bytes = 0

    func write(_ stanza: XMLElement) {
        buffer.removeAll(keepingCapacity: true)
        stanza.serialize(into: &buffer, inheritedNamespace: XMLNamespace.jabberClient)
        bytes += buffer.count
    }

    func send(_ stanza: XMLElement, tag: StanzaTag?) -> Bool {
        write(stanza)
        return true
    }
}

private func measure(count: Int, _ body: (Int) async throws -> Void) async throws -> (p50: Double, p99: Double, cpu: Double) {
    var samples: [Double] = []
    samples.reserveCapacity(count)
    let cpuStart = Stopwatch.cpuSeconds()
    for i in 0..<count {
        let start = Stopwatch.now()
        try await body(i)
        samples.append((Stopwatch.now() - start) * 1e6)
    }
    let cpu = (Stopwatch.cpuSeconds() - cpuStart) / Double(count) * 1e6
    samples.sort()
    return (samples[count / 2], samples[count * 99 / 100], cpu)
}
