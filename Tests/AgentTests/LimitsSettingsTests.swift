import Session
import Testing
import TOML
import XEPs
import XMPPCore
@testable import Agent

@Suite struct LimitsSettingsTests {
    func parse(_ limits: String) throws(TOMLError) -> AgentConfiguration {
        try AgentConfiguration(document: TOMLDocument.parse(
            "[xmpp]\njid = \"sensor-7@example.org\"\npassword = \"x\"\n[device]\nprofile = \"simulated\"\n[limits]\n" + limits,
            file: "agent.toml"))
    }

    @Test func defaultsAreTheDocumentedOnes() throws {
        let limits = try parse("").limits
        #expect(limits.consumers.requests.viewer == RateLimit(rate: 10, burst: 20))
        #expect(limits.consumers.requests.domain == RateLimit(rate: 30, burst: 60))
        #expect(limits.consumers.requests.operator == RateLimit(rate: 50, burst: 100))
        #expect(limits.consumers.requests.refusals == RateLimit(rate: 0.5, burst: 10))
        #expect(limits.consumers.readouts == SharePolicy(perConsumer: 2, perDomain: 4, viewers: 8, operators: 4))
        #expect(limits.consumers.scheduledReadouts == SharePolicy(perConsumer: 4, perDomain: 8, viewers: 24, operators: 8))
        #expect(limits.consumers.commandSessions == SharePolicy(perConsumer: 4, perDomain: 8, viewers: 32, operators: 16))
        #expect(limits.consumers.historyReadings == 1000 && limits.consumers.queuedStanzas == 64)
        #expect(limits.inputStanzas == 128 && limits.outputBuffer == 256 * 1024 && limits.bulkInFlight == 128 * 1024)
        #expect(limits.chat.burst == 10 && limits.chat.refill == .seconds(3) && limits.chat.quiet == .seconds(20))
    }

    @Test func everyKeyIsRead() throws {
        let limits = try parse("""
            requests = { rate = 2, burst = 4 }
            domain_requests = { rate = 5 }
            operator_requests = { burst = 7 }
            refusals = { burst = 2, every = "30s" }
            readouts = { requester = 1, viewers = 3 }
            scheduled_readouts = { operators = 2 }
            command_sessions = { domain = 2 }
            history_readings = 200
            queued_stanzas = 16
            input_stanzas = 32
            output_buffer = "64KiB"
            bulk_in_flight = "32KiB"
            chat = { burst = 3, refill = "1s", quiet = "5s" }
            """).limits
        #expect(limits.consumers.requests.viewer == RateLimit(rate: 2, burst: 4))
        #expect(limits.consumers.requests.domain == RateLimit(rate: 5, burst: 60))
        #expect(limits.consumers.requests.operator == RateLimit(rate: 50, burst: 7))
        #expect(limits.consumers.requests.refusals.burst == 2 && abs(limits.consumers.requests.refusals.rate - 1.0 / 30) < 1e-9)
        #expect(limits.consumers.readouts == SharePolicy(perConsumer: 1, perDomain: 4, viewers: 3, operators: 4))
        #expect(limits.consumers.scheduledReadouts.operators == 2 && limits.consumers.commandSessions.perDomain == 2)
        #expect(limits.consumers.historyReadings == 200 && limits.consumers.queuedStanzas == 16)
        var session = SessionConfiguration(jid: try JID("a@b"), resource: "r", password: nil, tls: .init(serverName: "b"))
        limits.apply(to: &session)
        #expect(session.inboundStanzas == 32 && session.outputBuffer == 64 * 1024 && session.bulkInFlight == 32 * 1024)
        #expect(limits.chat.burst == 3 && limits.chat.refill == .seconds(1) && limits.chat.quiet == .seconds(5))
    }

    @Test(arguments: [
        ("reads = 3", "agent.toml:7: unknown key"),
        ("readouts = { requester = 0 }", "agent.toml:7: requester must be between 1 and 10000"),
        ("readouts = { everyone = 3 }", "agent.toml:7: unknown key"),
        ("requests = { rate = 0 }", "agent.toml:7: rate must be above 0"),
        ("output_buffer = \"1KiB\"", "agent.toml:7: output_buffer must be between 16KiB and 1GiB"),
        ("chat = { quiet = \"0s\" }", "agent.toml:7: quiet must be at least 1s"),
    ])
    func mistakesNameTheLine(text: String, message: String) {
        #expect {
            _ = try parse(text)
        } throws: { error in
            "\(error)".hasPrefix(message)
        }
    }
}
