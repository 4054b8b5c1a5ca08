import Foundation
import Testing
import TOML

@testable import Agent

@Suite struct FileModesTests {
    typealias Severity = FileModes.Problem.Severity

    @Test(arguments: [
        (0o600, [Severity]()), (0o400, []),
        (0o640, [.warning]),  // names the group
        (0o660, [.warning]),
        (0o644, [.error]),
        (0o602, [.error]),  // writable by everyone: said as such, not "readable"
        (0o666, [.error, .error]),
    ] as [(UInt32, [Severity])])
    func secretFiles(mode: UInt32, expected: [Severity]) {
        let problems = FileModes.problems("/etc/kinglet/password", role: .secret(key: "password_file"), mode: mode, group: "kinglet")
        #expect(problems.map(\.severity) == expected)
        if mode == 0o640 { #expect(problems.first?.message == "password_file /etc/kinglet/password is readable by the group 'kinglet' (mode 640)") }
        if mode == 0o602 {
            #expect(problems.first?.message == "password_file /etc/kinglet/password is writable by every user (mode 602)")
            #expect(problems.first?.fix == "chmod o-w /etc/kinglet/password")
        }
        if mode == 0o644 { #expect(problems.first?.fix.hasPrefix("chmod 600 /etc/kinglet/password") == true) }
    }

    @Test func aConfigWithTheInlinePasswordThatEveryoneCanReadIsAWarning() {
        let inline = FileModes.problems("/etc/kinglet/kinglet.toml", role: .configWithPassword, mode: 0o644, group: "root")
        #expect(inline.map(\.severity) == [.warning])
        #expect(inline.first?.message.contains("holds the password inline") == true)
        #expect(FileModes.problems("/etc/kinglet/kinglet.toml", role: .configWithPassword, mode: 0o640, group: "kinglet").isEmpty)
        #expect(FileModes.problems("/etc/kinglet/kinglet.toml", role: .trusted(key: "config"), mode: 0o644, group: "root").isEmpty)
        #expect(FileModes.problems("/etc/ssl/ca.pem", role: .trusted(key: "ca_file"), mode: 0o646, group: "root").map(\.severity) == [.error])
    }

    @Test func checkWarnsAboutAnInlinePasswordInAWorldReadableConfig() throws {
        let path = NSTemporaryDirectory() + "kinglet-modes-\(UUID().uuidString).toml"
        try "[xmpp]\njid = \"a@b\"\npassword = \"hunter2\"\n[device]\nprofile = \"simulated\"\n"
            .write(toFile: path, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        chmod(path, 0o644)
        let warned = try AgentConfiguration.load(path: path)
        #expect(warned.warnings.count == 1)
        #expect(warned.warnings.first?.contains("holds the password inline") == true)
        #expect(warned.warnings.first?.contains("hunter2") == false)
        chmod(path, 0o600)
        #expect(try AgentConfiguration.load(path: path).warnings.isEmpty)
    }
}
