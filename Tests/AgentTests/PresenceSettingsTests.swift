import Testing
import TOML
@testable import Devices
import XEPs
@testable import Agent

@Suite struct PresenceSettingsTests {
    func parse(_ presence: String) throws(TOMLError) -> AgentConfiguration {
        let text = "[xmpp]\njid = \"a@b\"\npassword = \"x\"\n[presence]\n" + presence + "\n[device]\nprofile = \"simulated\"\n"
        return try AgentConfiguration(document: TOMLDocument.parse(text, file: "agent.toml"))
    }

    @Test func defaults() throws {
        let text = "[xmpp]\njid = \"a@b\"\npassword = \"x\"\n[device]\nprofile = \"simulated\"\n"
        let p = try AgentConfiguration(document: TOMLDocument.parse(text, file: "agent.toml")).presence
        #expect(p == PresenceConfiguration())
        #expect(p.status == StatusTemplate.standard)
        #expect(p.failingShow == .dnd && p.backlogShow == .away && p.priority == nil && p.discloseOperatingSystem)
        #expect(p.checkInterval == .seconds(10) && p.backlogThreshold == 100)
    }

    @Test func everyKey() throws {
        let p = try parse("""
            status = "{health} · {sensors} sensors · {pending} queued"
            priority = -5
            check_interval = "30s"
            backlog_threshold = 500
            failing_show = "xa"
            backlog_show = "available"
            name = "Greenhouse 3"
            disclose_os = false
            """).presence
        let rendered = PresenceStatus(DeviceStatus(health: .init(sensorCount: 2, controlCount: 0, problems: [], overruns: 0)), configuration: p)
        #expect(rendered.status == "ok · 2 sensors · 0 queued")
        #expect(p.priority == -5 && p.checkInterval == .seconds(30) && p.backlogThreshold == 500)
        #expect(p.failingShow == .xa && p.backlogShow == nil)
        #expect(p.name == "Greenhouse 3" && !p.discloseOperatingSystem)
    }

    @Test(arguments: [
        ("status = \"{health} {sensorz}\"", "unknown placeholder {sensorz}"),
        ("status = \"{health\"", "unclosed"),
        ("priority = 200", "between -128 and 127"),
        ("check_interval = \"100ms\"", "at least 1s"),
        ("backlog_threshold = 0", "backlog_threshold"),
        ("failing_show = \"busy\"", "away, chat, dnd, xa or available"),
        ("name = \"\"", "must not be empty"),
        ("stauts = \"x\"", "did you mean 'status'"),
    ])
    func errorsNameTheFileAndLine(line: String, fragment: String) {
        #expect {
            try parse("# presence\n" + line)
        } throws: { error in
            "\(error)".hasPrefix("agent.toml:6: ") && "\(error)".contains(fragment)
        }
    }
}
