import Foundation
import Testing
import TOML
@testable import Agent

@Suite struct AgentConfigurationTests {
    /// Parses `text` with a `[device]` section appended (every config names its device).
    func parse(_ text: String) throws(TOMLError) -> AgentConfiguration {
        try AgentConfiguration(document: TOMLDocument.parse(text + "\n[device]\nprofile = \"simulated\"\n", file: "agent.toml"))
    }

    @Test func minimalConfig() throws {
        let c = try parse("""
            [xmpp]
            jid = "sensor-7@example.org"
            password = "s3cret"
            """)
        #expect(c.xmpp.jid.description == "sensor-7@example.org")
        #expect(c.xmpp.resource == "kinglet")
        #expect(c.xmpp.port == nil)
        #expect(c.xmpp.reconnectMax == .seconds(60))
        #expect("\(c.xmpp.password!)" == "<redacted>")
        #expect(c.xmpp.password?.revealed == "s3cret")
    }

    @Test(arguments: [
        ("[xmpp]\njid = \"a@b\"\npassword = \"x\"\nport = \"five\"\n", "agent.toml:4: ", "port"),
        ("[xmpp]\njid = \"a@b\"\npassword = \"x\"\nport = 70000\n", "agent.toml:4: ", "between 1 and 65535"),
        ("[xmpp]\njid = \"not a jid\"\npassword = \"x\"\n", "agent.toml:2: ", "invalid JID"),
        ("[xmpp]\njid = \"example.org\"\npassword = \"x\"\n", "agent.toml:2: ", "must be an account"),
        ("[xmpp]\njid = \"a@b\"\n", "agent.toml:1: ", "password"),
        ("[xmpp]\njid = \"a@b\"\npassword = \"x\"\npassword_file = \"/p\"\n", "agent.toml:4: ", "not both"),
        ("[xmpp]\njid = \"a@b\"\npassword = \"x\"\nhots = \"h\"\n", "agent.toml:4: ", "did you mean 'host'"),
        ("[xmpp]\njid = \"a@b\"\npassword = \"x\"\npin_sha256 = \"zz\"\n", "agent.toml:4: ", "pin_sha256"),
        ("[xmpp]\njid = \"a@b\"\npassword = \"x\"\nca_file = \"/nonexistent/ca.pem\"\n", "agent.toml:4: ", "cannot read ca_file"),
        ("[xmpp]\njid = \"a@b\"\npassword = \"x\"\n[acces]\n", "agent.toml:4: ", "did you mean 'access'"),
        ("[xmpp]\njid = \"a@b\"\npassword = \"x\"\n[access]\noperators = [\"a@b/res\"]\n", "agent.toml:5: ", "bare JIDs"),
        ("[xmpp]\njid = \"a@b\"\npassword = \"x\"\n[log]\nlevel = \"loud\"\n", "agent.toml:5: ", "level"),
        ("[xmpp]\njid = \"a@b\"\npassword = \"x\"\nreconnect_max = \"1s\"\nreconnect_initial = \"5s\"\n", "agent.toml:5: ", "reconnect_initial"),
        ("[xmpp]\njid = \"a@b\"\npassword = \"x\"\nservers = [\"a:1\", \"b:x\"]\n", "agent.toml:4: ", "servers entry 'b:x'"),
        ("[xmpp]\njid = \"a@b\"\npassword = \"x\"\nservers = []\n", "agent.toml:4: ", "servers is empty"),
        ("[xmpp]\njid = \"a@b\"\npassword = \"x\"\nservers = [\"a\", \"a:5222\"]\n", "agent.toml:4: ", "twice"),
        ("[xmpp]\njid = \"a@b\"\npassword = \"x\"\nhost = \"h\"\nservers = [\"a\"]\n", "agent.toml:5: ", "not both"),
        // Zero would be a reconnect or ping loop without pause.
        ("[xmpp]\njid = \"a@b\"\npassword = \"x\"\nreconnect_initial = 0\n", "agent.toml:4: ", "reconnect_initial must be at least 100ms"),
        ("[xmpp]\njid = \"a@b\"\npassword = \"x\"\nping_interval = \"0s\"\n", "agent.toml:4: ", "ping_interval must be at least 1s"),
        ("[xmpp]\njid = \"a@b\"\npassword = \"x\"\n[store]\nretry_interval = 0\n", "agent.toml:5: ", "retry_interval must be at least 100ms"),
        ("[xmpp]\njid = \"a@b\"\npassword = \"x\"\n[presence]\ncheck_interval = \"500ms\"\n", "agent.toml:5: ", "check_interval must be at least 1s"),
    ])
    func errorsNameTheLine(text: String, prefix: String, fragment: String) {
        #expect {
            try parse(text)
        } throws: { error in
            let d = "\(error)"
            return d.hasPrefix(prefix) && d.contains(fragment)
        }
    }

    @Test func serversBecomeEndpointsWithTheDefaultPort() throws {
        let c = try parse("[xmpp]\njid = \"a@example.org\"\npassword = \"x\"\ndirect_tls = true\nservers = [\"n1.example.org\", \"[::1]:15223\"]\n")
        #expect(c.xmpp.servers.map(\.description) == ["n1.example.org:5223 (direct TLS)", "[::1]:15223 (direct TLS)"])
        let session = c.xmpp.sessionConfiguration()
        #expect(session.servers == c.xmpp.servers)
        // The certificate is still checked against the account's domain, whichever server answers.
        #expect(session.tls.serverName == "example.org")
    }

    @Test func deviceProfileIsLoadedAndItsErrorsLocated() throws {
        let c = try parse("[xmpp]\njid = \"a@b\"\npassword = \"x\"\n")
        #expect(c.device.profile.name == "simulated")
        #expect(c.device.nodeID == "simulated")
        #expect(!c.device.profile.controls.isEmpty)
        #expect {
            try AgentConfiguration(document: TOMLDocument.parse(
                "[xmpp]\njid = \"a@b\"\npassword = \"x\"\n[device]\nprofile = \"no-such-board\"\n", file: "agent.toml"))
        } throws: { error in
            "\(error)".hasPrefix("agent.toml:5: ") && "\(error)".contains("no-such-board")
        }
        #expect {
            try AgentConfiguration(document: TOMLDocument.parse("[xmpp]\njid = \"a@b\"\npassword = \"x\"\n", file: "agent.toml"))
        } throws: { error in
            "\(error)".contains("missing key 'device'")
        }
    }

    @Test func deviceNodeIDCanBeConfigured() throws {
        let c = try AgentConfiguration(document: TOMLDocument.parse(
            "[xmpp]\njid = \"a@b\"\npassword = \"x\"\n[device]\nprofile = \"simulated\"\nnode = \"greenhouse-3\"\n", file: "agent.toml"))
        #expect(c.device.nodeID == "greenhouse-3")
        #expect {
            try AgentConfiguration(document: TOMLDocument.parse(
                "[xmpp]\njid = \"a@b\"\npassword = \"x\"\n[device]\nprofile = \"simulated\"\nnode = \"\"\n", file: "agent.toml"))
        } throws: { error in
            "\(error)".hasPrefix("agent.toml:6: ") && "\(error)".contains("node")
        }
    }

    @Test func pinsInBase64AndHex() throws {
        let b64 = String(repeating: "A", count: 43) + "="
        let hex = String(repeating: "ab", count: 32)
        let c = try parse("[xmpp]\njid = \"a@b\"\npassword = \"x\"\npin_sha256 = [\"sha256/\(b64)\", \"\(hex)\"]\n")
        #expect(c.xmpp.pinnedKeys == [[UInt8](repeating: 0, count: 32), [UInt8](repeating: 0xAB, count: 32)])
    }

    @Test func passwordFileIsReadAndWorldReadableOneIsWarnedAbout() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-cfg-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("secret").path
        try "hunter2\n".write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o644)
        var c = try parse("[xmpp]\njid = \"a@b\"\npassword_file = \"\(path)\"\n")
        #expect(c.xmpp.password?.revealed == "hunter2")
        #expect(c.warnings.count == 1)
        #expect(c.warnings.first?.contains("chmod 600") == true)
        #expect(c.warnings.first?.contains("hunter2") == false)
        chmod(path, 0o600)
        c = try parse("[xmpp]\njid = \"a@b\"\npassword_file = \"\(path)\"\n")
        #expect(c.warnings.isEmpty)
    }
}

@Suite struct ConfigSecretTests {
    /// `kinglet run` and `kinglet check` print load errors to stderr (the journal): a password
    /// forgotten without quotes must not appear there.
    @Test func anUnquotedPasswordIsNotPrintedInTheError() throws {
        let path = NSTemporaryDirectory() + "kinglet-secret-\(getpid()).toml"
        try "[xmpp]\njid = \"a@b\"\npassword = correct-horse-battery\n[device]\nprofile = \"simulated\"\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try AgentConfiguration.load(path: path)
        } throws: { error in
            let d = "\(error)"
            return d.hasPrefix(path + ":3: ") && !d.contains("correct-horse") && d.contains("'password'")
        }
    }
}
