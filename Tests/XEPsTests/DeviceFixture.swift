import Devices
import Foundation
import Store
import Support
import XMLStream
import XMPPCore
@testable import XEPs

/// The simulated device profile the demo uses, plus one sensor whose file does not exist so
/// that readouts have a failing source.
let simulatedWithBrokenSensor: DeviceProfile = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let text = try! String(contentsOf: root.appendingPathComponent("Devices/simulated.toml"), encoding: .utf8)
    let broken = "\n[[sensor]]\nname = \"soil\"\nsource = \"file\"\npath = \"/nonexistent/kinglet/soil\"\nunit = \"%\"\n"
    return try! DeviceProfile.parse(text + broken, file: "simulated.toml")
}()

/// A started device on that profile, a store in a temporary directory, and a recorder for
/// the stanzas a handler sends. `close()` stops and removes everything.
final class DeviceFixture: Sendable {
    let device: Device
    let store: ReadingStore
    let sent = RecordingSender()
    private let directory: String

    init() async throws {
        directory = NSTemporaryDirectory() + "kinglet-xeps-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var configuration = StoreConfiguration(path: directory + "/outbox.db")
        configuration.synchronous = .off
        configuration.commitInterval = .zero
        store = try await ReadingStore(configuration: configuration)
        device = Device(profile: simulatedWithBrokenSensor)
        await device.start()
    }

    func close() async {
        await device.stop()
        await store.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    func readoutHandler(
        clock: any AgentClock = SystemClock(), sender: (any StanzaSender)? = nil, limits: ConsumerLimits = ConsumerLimits()
    ) -> SensorDataHandler {
        SensorDataHandler(sender: sender ?? sent, device: device, store: store, nodeID: "simulated", limits: limits, clock: clock)
    }

    /// The current value of a control as a readout shows it.
    func value(of name: String) async -> String? {
        await device.currentReadings(names: [name]).first?.value?.text
    }
}

let alice = try! JID("alice@example.org/phone")

/// An IQ from alice carrying `payload`.
func iq(_ type: String, _ payload: String, id: String = "q1") throws -> XMLElement {
    try XMLElement(parsing: "<iq type='\(type)' id='\(id)' from='\(alice)' to='sensor@example.org/kinglet'>\(payload)</iq>")
}
