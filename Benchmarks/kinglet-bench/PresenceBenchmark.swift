import Devices
import XEPs
import XMLStream

/// What a presence health check costs (disco#info with its forms, the caps hash, the status
/// line and the stanza), every `check_interval` (10 s by default): with the simulated device,
/// and with a 50-sensor board whose identity form and status are bigger.
func presenceBenchmark() async throws -> [Figure] {
    let simulated = try DeviceProfile.load(reference: "simulated")
    var big = simulated
    for i in 0..<50 {
        big.sensors.append(SensorDefinition(name: "id_\(i)", source: .constant("value-\(i)"), fieldType: .identity, valueType: .string, interval: nil))
    }
    var figures: [Figure] = []
    for (label, profile) in [("simulated", simulated), ("50-identity", big)] {
        let device = Device(profile: profile)
        await device.refresh()
        let discoInfo = DeviceDiscoInfo(
            name: profile.name, handlers: [PingHandler(), VersionHandler(operatingSystem: nil)], device: device,
            operatingSystem: OperatingSystem.current())
        let configuration = PresenceConfiguration()
        let runs = 5_000
        var bytes = 0
        let start = Stopwatch.now()
        for _ in 0..<runs {
            let status = DeviceStatus(health: await device.health(), profile: profile.name)
            let presence = PresenceStatus(status, configuration: configuration).element(caps: await discoInfo.capabilities())
            bytes += presence.serialized().utf8.count
        }
        let micros = (Stopwatch.now() - start) / Double(runs) * 1e6
        figures.append(Figure(name: "presence.check.\(label)", value: micros, unit: "µs per check"))
        figures.append(Figure(name: "presence.stanza.\(label)", value: Double(bytes / runs), unit: "bytes"))
    }
    return figures
}
