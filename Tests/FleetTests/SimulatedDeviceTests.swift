import Agent
import Testing
import TOML
@testable import Fleet

@Suite struct SimulatedDeviceTests {
    func template(_ xmpp: String, store: String = "/var/tmp/sim/{n}.db") throws -> AgentConfiguration {
        try AgentConfiguration(document: TOMLDocument.parse(
            "[xmpp]\n\(xmpp)\npassword = \"x\"\n[device]\nprofile = \"simulated\"\n[store]\npath = \"\(store)\"\n", file: "sim.toml"))
    }

    @Test func theNumberGoesIntoJIDResourceAndStorePath() throws {
        let t = try template("jid = \"sim-{n}@example.org\"\nresource = \"dev{n}\"")
        let device = try t.simulatedDevice(17)
        #expect(device.xmpp.jid.description == "sim-17@example.org")
        #expect(device.xmpp.resource == "dev17")
        #expect(device.store.path == "/var/tmp/sim/17.db")
        #expect(device.xmpp.password?.revealed == "x")
        // The account the device's access policy and publish node are built from.
        #expect(device.xmpp.sessionConfiguration().jid.description == "sim-17@example.org")
    }

    @Test func devicesSpreadOverTheServers() throws {
        let t = try template("jid = \"sim-{n}@example.org\"\nservers = [\"a:1\", \"b:2\", \"c:3\"]")
        #expect(try t.simulatedDevice(1).xmpp.servers.map(\.host) == ["b", "c", "a"])
        #expect(try t.simulatedDevice(2).xmpp.servers.map(\.host) == ["c", "a", "b"])
        #expect(try t.simulatedDevice(3).xmpp.servers.map(\.host) == ["a", "b", "c"])
    }

    @Test func aTemplateNeedsTheNumberWhereDevicesCannotShare() throws {
        #expect(try template("jid = \"sim@example.org\"").fleetTemplateProblem(count: 2)?.contains("jid must contain {n}") == true)
        #expect(try template("jid = \"sim-{n}@example.org\"", store: "/var/tmp/one.db").fleetTemplateProblem(count: 2)?
            .contains("path must contain {n}") == true)
        #expect(try template("jid = \"sim-{n}@example.org\"").fleetTemplateProblem(count: 1000) == nil)
        // One device may be simulated from any config.
        #expect(try template("jid = \"sim@example.org\"", store: "/var/tmp/one.db").fleetTemplateProblem(count: 1) == nil)
    }
}
