import Devices
import Support
import Synchronization
import Testing
import XMLStream
import XMPPCore

@testable import XEPs

/// A simulated device with a manual clock, for the chat and ad-hoc command tests (`alice`, the
/// operator, comes from `DeviceFixture.swift`).
struct CommandFixture {
    static let profileText = """
        [device]
        name = "bench"
        description = "test bench"
        seed = 7

        [[sensor]]
        name = "serial_number"
        source = "constant"
        value = "SN-1"

        [[sensor]]
        name = "temperature"
        source = "simulated"
        unit = "°C"
        decimals = 2
        mean = 21.5

        [[control]]
        name = "relay"
        type = "boolean"
        description = "Relay output"
        initial = false
        target = "simulated"

        [[control]]
        name = "dimmer"
        type = "int"
        unit = "%"
        min = 0
        max = 100
        initial = 0
        target = "simulated"

        [[control]]
        name = "mode"
        type = "enum"
        values = ["auto", "manual", "off"]
        initial = "auto"
        target = "simulated"

        [[control]]
        name = "setpoint"
        type = "double"
        unit = "°C"
        min = 5
        max = 30
        decimals = 1
        initial = 20
        target = "simulated"
        """

    let clock = ManualClock()
    let device: Device
    let services: DeviceServices

    /// A device that has been sampled once.
    static func make() async throws -> CommandFixture {
        let fixture = try CommandFixture()
        await fixture.device.tick()
        return fixture
    }

    private init() throws {
        let profile = try DeviceProfile.parse(Self.profileText, file: "bench.toml")
        device = Device(profile: profile, environment: DeviceEnvironment(clock: clock))
        services = DeviceServices(device: device, store: nil, clock: clock)
    }

    func control(_ name: String) throws -> ControlDefinition {
        try #require(services.control(named: name))
    }

    /// The current text of a reading, as a person sees it.
    func shown(_ name: String) async -> String? {
        await device.currentReadings(names: [name]).first.map(HumanText.value(of:))
    }
}

/// Records restart requests.
final class LifecycleSpy: AgentLifecycle {
    private let requests = Mutex<[JID]>([])

    func requestRestart(by requester: JID) {
        requests.withLock { $0.append(requester) }
    }

    var requesters: [JID] { requests.withLock { $0 } }
}

let bob = try! JID("bob@example.org/phone")
let mallory = try! JID("mallory@evil.example/x")
let device = try! JID("sensor@example.org/kinglet")
