import Foundation
import Testing
import TestSupport

@testable import Devices

/// File and command sources with their extractions, and the command runner's guarantees:
/// no shell, time-outs that kill the whole process group, exit status, output cap.
@Suite struct FileAndCommandSourceTests {
    @Test func fileWithPatternJSONAndHex() throws {
        let host = try FakeHost()
        try host.write("sys/devices/platform/soc/soc:firmware/get_throttled", "50005\n")
        try host.write("run/status.json", #"{"sensors": [{"id": "a", "value": 21.5}, {"id": "b", "value": true}], "name": "x"}"#)
        try host.write("run/vcgencmd.txt", "temp=48.3'C\n")

        // A profile's /sys path is mapped onto the fake root.
        let throttled = SensorDefinition(
            name: "throttled", source: .file(path: "/sys/devices/platform/soc/soc:firmware/get_throttled", extraction: Extraction(radix: 16)),
            valueType: .int)
        #expect(try sample(throttled, on: host) == .int(0x50005))

        let json = SensorDefinition(
            name: "a", source: .file(path: host.root + "/run/status.json", extraction: Extraction(jsonPath: try JSONPath("$.sensors[0].value"))))
        #expect(try sample(json, on: host).double == 21.5)
        let flag = SensorDefinition(
            name: "b", source: .file(path: host.root + "/run/status.json", extraction: Extraction(jsonPath: try JSONPath("sensors[1].value"))),
            valueType: .boolean)
        #expect(try sample(flag, on: host) == .boolean(true))

        let pattern = SensorDefinition(
            name: "t", source: .file(path: host.root + "/run/vcgencmd.txt", extraction: Extraction(pattern: try TextPattern(#"temp=([\d.]+)"#))),
            decimals: 1)
        #expect(try sample(pattern, on: host) == .numeric(48.3, decimals: 1))
    }

    @Test(arguments: [
        ("$.nothing", "nothing at $.nothing"),
        ("$.sensors", "$.sensors is not a single value"),
        ("$.name", "'x' is not a number"),
    ])
    func jsonFailures(path: String, message: String) throws {
        let host = try FakeHost()
        try host.write("status.json", #"{"sensors": [1, 2], "name": "x"}"#)
        let definition = SensorDefinition(name: "j", source: .file(path: host.root + "/status.json", extraction: Extraction(jsonPath: try JSONPath(path))))
        #expect(failure(definition, on: host)?.message == message)
    }

    @Test func fileThatIsNotJSONOrDoesNotMatch() throws {
        let host = try FakeHost()
        try host.write("f", "<html>oops</html>")
        let json = SensorDefinition(name: "j", source: .file(path: host.root + "/f", extraction: Extraction(jsonPath: try JSONPath("a"))))
        #expect(failure(json, on: host)?.message.hasPrefix("not JSON") == true)
        let pattern = SensorDefinition(name: "p", source: .file(path: host.root + "/f", extraction: Extraction(pattern: try TextPattern("t=(\\d+)"))))
        #expect(failure(pattern, on: host)?.message == "pattern t=(\\d+) did not match")
    }

    @Test func commandSourceReadsOutputAndRespectsExitStatus() throws {
        let host = try FakeHost()
        let good = try host.script("good.sh", "echo 'reading: 42.5 units'")
        let bad = try host.script("bad.sh", "echo 17; echo 'sensor unplugged' >&2; exit 3")
        let source = SensorDefinition(
            name: "c", source: .command(CommandSpec(argv: good), extraction: Extraction(pattern: try TextPattern(#"(\d+\.\d+)"#))))
        #expect(try sample(source, on: host).double == 42.5)
        let failing = SensorDefinition(name: "c", source: .command(CommandSpec(argv: bad), extraction: Extraction()))
        #expect(failure(failing, on: host)?.message == "exited with status 3: sensor unplugged")
        #expect(SourceFactory.make(failing.source, name: "c", paths: host.paths, seed: 0).blocking == .slow)
    }

    @Test func argumentsAreNeverShellCode() throws {
        let host = try FakeHost()
        let marker = host.root + "/pwned"
        let hostile = "x; touch \(marker); $(touch \(marker))"
        let result = try CommandRunner.run(CommandSpec(argv: ["printf", "%s|", hostile, "second"]))
        #expect(result.status == 0)
        #expect(result.outputText == hostile + "|second|")
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func environmentIsSmallAndFixed() throws {
        let result = try CommandRunner.run(CommandSpec(argv: ["sh", "-c", "echo $LC_ALL; cat; echo end"]), environment: [("KINGLET_VALUE", "7")])
        // LC_ALL=C so numbers print with a dot; stdin is /dev/null so `cat` ends at once.
        #expect(result.outputText == "C\nend\n")
        let value = try CommandRunner.run(CommandSpec(argv: ["sh", "-c", "echo $KINGLET_VALUE"]), environment: [("KINGLET_VALUE", "7")])
        #expect(value.outputText == "7\n")
    }

    @Test func timeoutKillsTheWholeProcessGroup() async throws {
        let host = try FakeHost()
        let pidFile = host.root + "/grandchild.pid"
        // The child starts a grandchild that would outlive it, records its pid, and hangs.
        let script = try host.script("hang.sh", "sleep 300 &\necho $! > \(pidFile)\nwait")
        do {
            _ = try CommandRunner.run(CommandSpec(argv: script, timeout: .milliseconds(300)))
            Issue.record("a hanging command returned")
        } catch {
            #expect(error.message == "timed out after 300 ms; process group killed")
        }
        let grandchild = try #require(Int32(try host.read("grandchild.pid").trimmingCharacters(in: .whitespacesAndNewlines)))
        // The grandchild is gone: SIGKILL went to the whole group.
        #expect(await eventually { isDead(grandchild) })
    }

    @Test func leftoverGroupMembersAreKilledAfterANormalExit() async throws {
        let host = try FakeHost()
        let pidFile = host.root + "/bg.pid"
        // Exits at once, leaving a background process that closed its output.
        let script = try host.script("leave.sh", "sleep 300 >/dev/null 2>&1 &\necho $! > \(pidFile)\necho done")
        let result = try CommandRunner.run(CommandSpec(argv: script))
        #expect(result.status == 0)
        #expect(result.outputText == "done\n")
        let leftover = try #require(Int32(try host.read("bg.pid").trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(await eventually { isDead(leftover) })
    }

    @Test func outputCapKillsTheCommand() throws {
        #expect {
            try CommandRunner.run(CommandSpec(argv: ["sh", "-c", "yes kinglet"], maxOutput: 1000))
        } throws: { error in
            (error as? DeviceError)?.message == "output exceeds 1000 bytes; process group killed"
        }
    }

    @Test func missingProgramAndSignals() throws {
        #expect {
            try CommandRunner.run(CommandSpec(argv: ["/nonexistent/kinglet-probe"]))
        } throws: { error in
            (error as? DeviceError)?.code == ENOENT
        }
        let killed = try CommandRunner.run(CommandSpec(argv: ["sh", "-c", "kill -TERM $$"]))
        #expect(killed.status == nil)
        #expect(killed.signal == SIGTERM)
    }
}

/// Whether a process has ended: gone, or a zombie waiting for a parent that may never reap it
/// (in a container, PID 1 is not always an init that reaps orphans).
func isDead(_ pid: Int32) -> Bool {
    if kill(pid, 0) != 0 && errno == ESRCH { return true }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return true }
    return stat[stat.index(close, offsetBy: 2)] == "Z"
}
