import Testing
import TOML
import XEPs
import XMPPCore
@testable import Agent

@Suite struct PublishSettingsTests {
    static let account = "[xmpp]\njid = \"sensor-7@example.org\"\npassword = \"x\"\n[access]\noperators = [\"alice@example.org\", \"ops.example.org\"]\n"

    func parse(_ publish: String) throws(TOMLError) -> AgentConfiguration {
        try AgentConfiguration(document: TOMLDocument.parse(
            Self.account + publish + "\n[device]\nprofile = \"simulated\"\n", file: "agent.toml"))
    }

    func publishing(_ publish: String) throws -> PublishConfiguration {
        let c = try parse(publish)
        return try #require(c.publish.publishConfiguration(account: c.xmpp.jid, operators: c.access.operators, nodeID: c.device.nodeID))
    }

    @Test func defaultsToPEPWithThePresenceModel() throws {
        let p = try publishing("")
        #expect(p.target == .pep)
        #expect(p.node == "urn:xmpp:iot:sensordata")
        #expect(p.nodeConfiguration == NodeConfiguration(persistItems: true, maxItems: 1, accessModel: .presence))
        #expect(p.window == 128 && p.readBatches == 32)
        #expect(p.nodeID == "simulated" && p.account.description == "sensor-7@example.org")
        #expect(try parse("").publish.ackEvery == 25)
    }

    @Test func aPubsubServiceDefaultsToAWhitelistOfTheOperators() throws {
        let p = try publishing("[publish]\nmode = \"pubsub\"\nservice = \"pubsub.example.org\"\nmax_items = 50\nwindow = 8\nack_every = 5\n")
        #expect(p.target == .service(try JID("pubsub.example.org")))
        #expect(p.node == "urn:xmpp:iot:sensordata/sensor-7@example.org")
        #expect(p.nodeConfiguration.accessModel == .whitelist && p.nodeConfiguration.maxItems == 50)
        #expect(p.whitelist.map(\.description) == ["alice@example.org", "ops.example.org"])
        #expect(p.window == 8)
        #expect(try parse("[publish]\nmode = \"pubsub\"\nservice = \"pubsub.example.org\"\nack_every = 5\n").publish.ackEvery == 5)
    }

    @Test func offPublishesNothing() throws {
        let c = try parse("[publish]\nmode = \"off\"\n")
        #expect(c.publish.publishConfiguration(account: c.xmpp.jid, operators: [], nodeID: "n") == nil)
    }

    @Test(arguments: [
        ("[publish]\nmode = \"mqtt\"\n", "agent.toml:7: ", "pep, pubsub or off"),
        ("[publish]\nmode = \"pubsub\"\n", "agent.toml:7: ", "needs service"),
        ("[publish]\nservice = \"pubsub.example.org\"\n", "agent.toml:7: ", "mode = \"pubsub\" only"),
        ("[publish]\nmode = \"pubsub\"\nservice = \"bob@example.org\"\n", "agent.toml:8: ", "pubsub service's address"),
        ("[publish]\naccess_model = \"roster\"\n", "agent.toml:7: ", "presence, whitelist or open"),
        ("[publish]\nmax_items = 0\n", "agent.toml:7: ", "between 1 and"),
        ("[publish]\nwindow = 0\n", "agent.toml:7: ", "between 1 and"),
        ("[publish]\nnode = \"\"\n", "agent.toml:7: ", "must not be empty"),
        ("[publish]\nretry_initial = \"10m\"\nretry_max = \"1m\"\n", "agent.toml:7: ", "retry_initial"),
        ("[publish]\nwindw = 3\n", "agent.toml:7: ", "did you mean 'window'"),
    ])
    func errorsNameTheLine(text: String, prefix: String, fragment: String) {
        #expect {
            try parse(text)
        } throws: { error in
            "\(error)".hasPrefix(prefix) && "\(error)".contains(fragment)
        }
    }
}
