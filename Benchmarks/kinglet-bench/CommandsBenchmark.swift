import Devices
import Support
import XEPs
import XMLStream
import XMPPCore

/// What a person's command costs the device, in process (no network): a chat `read`, a chat
/// `set` that reaches the (simulated) control, and a whole three-request ad-hoc "Set a control"
/// session, each through its handler as the router calls it. Logging is off while measuring
/// (every set logs a line; writing it is the terminal's cost, not the command's).
func commandsBenchmark() async throws -> [Figure] {
    Logger.configure(level: .error)
    defer { Logger.configure(level: .info) }
    let profile = try DeviceProfile.parse(
        """
        [[sensor]]
        name = "temperature"
        source = "simulated"
        mean = 21.5
        unit = "°C"
        decimals = 2

        [[control]]
        name = "dimmer"
        type = "int"
        min = 0
        max = 100
        target = "simulated"
        """, file: "bench.toml")
    let clock = ManualClock()
    let device = Device(profile: profile, environment: DeviceEnvironment(clock: clock))
    let drain = Task { for await _ in device.batches {} }
    await device.tick()
    let services = DeviceServices(device: device, store: nil, clock: clock)
    var policy = ChatThrottle.Policy()
    policy.burst = 1_000_000  // measuring the work, not the throttle
    let chat = ChatCommandHandler(services: services, policy: policy, ownJID: { nil }, sender: ByteSink())
    let commands = AdHocCommandHandler(services: services, lifecycle: NoRestart(), ownJID: { nil })
    let alice = try JID("alice@example.org/bench")

    var figures: [Figure] = []
    let reads = 20_000
    let (readCPU, readWall) = await measure {
        for _ in 0..<reads { _ = await chat.verdict(on: message("read temperature", from: alice), from: alice, role: .operator) }
    }
    figures.append(Figure(name: "commands.chat_read.cpu", value: readCPU / Double(reads) * 1e6, unit: "µs CPU per command"))
    figures.append(Figure(name: "commands.chat_read.wall", value: readWall / Double(reads) * 1e6, unit: "µs per command"))

    let sets = 20_000
    let (setCPU, _) = await measure {
        for i in 0..<sets { _ = await chat.verdict(on: message("set dimmer \(i % 101)", from: alice), from: alice, role: .operator) }
    }
    figures.append(Figure(name: "commands.chat_set.cpu", value: setCPU / Double(sets) * 1e6, unit: "µs CPU per command"))

    let sessions = 5_000
    let (adHocCPU, _) = await measure {
        for i in 0..<sessions { await setSession(commands, value: i % 101, from: alice) }
    }
    figures.append(Figure(name: "commands.adhoc_set_session.cpu", value: adHocCPU / Double(sessions) * 1e6, unit: "µs CPU per 3-request session"))
    await device.stop()
    await drain.value
    return figures
}

private struct NoRestart: AgentLifecycle {
    func requestRestart(by requester: JID) {}
}

private func message(_ body: String, from: JID) -> XMLElement {
    XMLElement("message", namespace: Namespace.client, attributes: ["type": "chat", "from": from.description]) {
        XMLElement("body", text: body)
    }
}

/// execute (the one-page form), complete (dimmer ticked, with its value).
private func setSession(_ handler: AdHocCommandHandler, value: Int, from: JID) async {
    func request(_ session: String?, _ fields: [(String, String)]?) async -> XMLElement {
        var command = XMLElement("command", namespace: "http://jabber.org/protocol/commands", attributes: ["node": "set-control"])
        if let session { command.setAttribute("sessionid", session) }
        if let fields {
            command.append(XMLElement("x", namespace: "jabber:x:data", attributes: ["type": "submit"]) {
                fields.map { field in XMLElement("field", attributes: ["var": field.0]) { XMLElement("value", text: field.1) } }
            })
        }
        let iq = XMLElement("iq", namespace: Namespace.client, attributes: ["type": "set", "id": "b", "from": from.description]) { command }
        return await handler.handle(iq, from: from, role: .operator)
    }
    let first = await request(nil, nil)
    let id = first.child("command")?.attribute("sessionid")
    let done = await request(id, [("controls", "dimmer"), ("dimmer", String(value))])
    precondition(done.child("command")?.attribute("status") == "completed", "the session did not complete")
}

private func measure(_ body: () async -> Void) async -> (cpu: Double, wall: Double) {
    let cpu = Stopwatch.cpuSeconds()
    let wall = Stopwatch.now()
    await body()
    return (Stopwatch.cpuSeconds() - cpu, Stopwatch.now() - wall)
}
