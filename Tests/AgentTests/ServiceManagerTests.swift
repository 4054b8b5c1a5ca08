@testable import Devices
import Foundation
import Synchronization
import Glibc
import Session
import Support
import TestSupport
import Testing
import XEPs
import XMPPCore

@testable import Agent

/// A datagram socket bound the way systemd binds NOTIFY_SOCKET, to receive what the agent sends.
private final class NotifySocket: Sendable {
    let name: String
    private let fd: Int32

    /// An abstract name (`@…`) unless `path` is given.
    init(path: String? = nil) throws {
        name = path ?? "@kinglet-test-\(UUID().uuidString)"
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(name.utf8)
        if bytes[0] == UInt8(ascii: "@") { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { for (i, b) in bytes.enumerated() { $0[i] = b } }
        let length = socklen_t(MemoryLayout.offset(of: \sockaddr_un.sun_path)! + bytes.count)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EINVAL) }
    }

    deinit { close(fd) }

    /// The next datagram, waiting up to `timeout` seconds on a thread of its own, off the
    /// concurrency pool that the manager under test needs (0: only what is already there). The
    /// limit is for a hang only: a loaded machine can hold the sender up for many seconds.
    func receive(timeout: Int32 = 60) async -> String? {
        guard timeout > 0 else { return read(timeout: 0) }
        return (try? await onThread { self.read(timeout: timeout) }) ?? nil
    }

    private func read(timeout: Int32) -> String? {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, timeout * 1000) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buffer, buffer.count, 0)
        return n > 0 ? String(decoding: buffer[..<n], as: UTF8.self) : nil
    }
}

@Suite struct WatchdogProgressTests {
    typealias Reading = ProgressMeter.Reading

    @Test func idleAndMovingPartsAreNeverStuck() {
        var progress = WatchdogProgress(limit: .seconds(1))
        for second in 0..<10 {
            let readings: [WatchdogProgress.Part: Reading] = [
                .eventLoop: Reading(begun: 0, finished: 0),
                .sampler: Reading(begun: UInt64(second + 1), finished: UInt64(second)),  // always busy, always finishing
            ]
            #expect(progress.check(readings, at: .seconds(second)) == [])
        }
    }

    @Test func busyWithNothingFinishedForTheLimitIsStuckUntilItMovesAgain() {
        var progress = WatchdogProgress(limit: .seconds(1))
        let stuck = Reading(begun: 4, finished: 3)
        #expect(progress.check([.sampler: stuck], at: .seconds(0)) == [])  // first seen busy
        #expect(progress.check([.sampler: stuck], at: .milliseconds(900)) == [])
        #expect(
            progress.check([.publisher: Reading(begun: 0, finished: 0), .sampler: stuck], at: .milliseconds(1500))
                == [WatchdogProgress.Stall(part: .sampler, stuckFor: .milliseconds(1500))])
        #expect(progress.check([.sampler: Reading(begun: 5, finished: 4)], at: .seconds(2)) == [])
    }

    @Test func stallsComeInPartOrder() {
        var progress = WatchdogProgress(limit: .seconds(1))
        let stuck: [WatchdogProgress.Part: Reading] = [
            .publisher: Reading(begun: 1, finished: 0), .eventLoop: Reading(begun: 1, finished: 0),
        ]
        _ = progress.check(stuck, at: .zero)
        #expect(progress.check(stuck, at: .seconds(1)).map(\.part) == [.eventLoop, .publisher])
    }
}

@Suite struct SystemdEnvironmentTests {
    @Test(arguments: [
        ([:], nil, nil),
        (["NOTIFY_SOCKET": "/run/systemd/notify"], "/run/systemd/notify", nil),
        (["NOTIFY_SOCKET": "@x", "WATCHDOG_USEC": "30000000"], "@x", Duration.seconds(15)),
        (["NOTIFY_SOCKET": "@x", "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "42"], "@x", Duration.seconds(15)),
        (["NOTIFY_SOCKET": "@x", "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "41"], "@x", nil),  // another process's
        (["NOTIFY_SOCKET": "@x", "WATCHDOG_USEC": "0"], "@x", nil),
        (["NOTIFY_SOCKET": "@x", "WATCHDOG_USEC": "soon"], "@x", nil),
        (["NOTIFY_SOCKET": ""], nil, nil),
    ] as [([String: String], String?, Duration?)])
    func readsWhatSystemdSet(variables: [String: String], socket: String?, ping: Duration?) {
        let environment = SystemdEnvironment({ variables[$0] }, pid: 42)
        #expect(environment.notifySocket == socket)
        #expect(environment.watchdogPingInterval == ping)
    }
}

@Suite struct SystemdNotifierTests {
    @Test func sendsOneDatagramToAnAbstractOrAPathSocket() async throws {
        let abstract = try NotifySocket()
        #expect(try SystemdNotifier(socket: abstract.name).send("READY=1\nSTATUS=up"))
        #expect(await abstract.receive() == "READY=1\nSTATUS=up")

        let path = NSTemporaryDirectory() + "kinglet-notify-\(UUID().uuidString)"
        defer { unlink(path) }
        let file = try NotifySocket(path: path)
        #expect(try SystemdNotifier(socket: path).send("WATCHDOG=1"))
        #expect(await file.receive() == "WATCHDOG=1")
    }

    @Test func nobodyListeningIsNotFatal() throws {
        #expect(try !SystemdNotifier(socket: "@kinglet-nobody-\(UUID().uuidString)").send("READY=1"))
    }
}

@Suite struct ServiceManagerTests {
    /// Waits until both of the manager's timers sleep on the clock again (what the watchdog
    /// sends, it sent before sleeping).
    private func settle(_ clock: ManualClock, loops: Int = 2) async throws {
        #expect(await clock.waitForSleepers(loops))
    }

    @Test func readyThenWatchdogAtItsPaceOnlyWhileEveryPartMoves() async throws {
        let socket = try NotifySocket()
        let clock = ManualClock()
        let sampler = ProgressMeter(), loop = ProgressMeter()
        let manager = ServiceManager(
            notifier: try SystemdNotifier(socket: socket.name), watchdogPingInterval: .seconds(1), clock: clock,
            status: { "online · 0 readings waiting · sensors OK" })
        await manager.ready(meters: [.sampler: sampler, .eventLoop: loop], statusInterval: .seconds(10))
        #expect(await socket.receive() == "READY=1\nSTATUS=online · 0 readings waiting · sensors OK")
        try await settle(clock)
        #expect(await socket.receive() == "WATCHDOG=1")  // at once, then every second
        #expect(await socket.receive(timeout: 0) == nil)
        clock.advance(by: .milliseconds(999))
        try await settle(clock)
        #expect(await socket.receive(timeout: 0) == nil)  // not before its time
        clock.advance(by: .milliseconds(1))
        try await settle(clock)
        #expect(await socket.receive() == "WATCHDOG=1")

        sampler.begin()  // a tick that never ends
        for _ in 0..<2 {  // seen busy, then busy with nothing finished for a second
            clock.advance(by: .seconds(1))
            try await settle(clock)
        }
        #expect(await socket.receive() == "WATCHDOG=1")  // the first look only saw it busy
        #expect(await socket.receive(timeout: 0) == nil)
        clock.advance(by: .seconds(1))
        try await settle(clock)
        #expect(await socket.receive(timeout: 0) == nil)  // still stuck

        sampler.finish()
        clock.advance(by: .seconds(1))
        try await settle(clock)
        #expect(await socket.receive() == "WATCHDOG=1")

        manager.stopping()
        #expect(await socket.receive() == "STOPPING=1\nSTATUS=stopping")
    }

    @Test func statusIsSentWhenItChanges() async throws {
        let socket = try NotifySocket()
        let clock = ManualClock()
        let text = Mutex("connecting")
        let manager = ServiceManager(
            notifier: try SystemdNotifier(socket: socket.name), watchdogPingInterval: nil, clock: clock,
            status: { text.withLock { $0 } })
        await manager.ready(meters: [:], statusInterval: .seconds(10))
        #expect(await socket.receive() == "READY=1\nSTATUS=connecting")
        await manager.refreshStatus()
        #expect(await socket.receive(timeout: 0) == nil)
        text.withLock { $0 = "online as a@b/c" }
        manager.statusMayHaveChanged()  // the agent's event loop does not wait for it
        #expect(await socket.receive() == "STATUS=online as a@b/c")
        text.withLock { $0 = "offline (connection lost)" }
        try await settle(clock, loops: 1)
        clock.advance(by: .seconds(10))  // the periodic refresh
        #expect(await socket.receive() == "STATUS=offline (connection lost)")
        manager.stopping()
    }
}

@Suite struct ServiceStatusTests {
    @Test func oneLineWithConnectionBacklogAndFailures() throws {
        let healthy = DeviceStatus(health: DeviceHealth(sensorCount: 3, controlCount: 1, problems: [], overruns: 0))
        let jid = try JID("sensor@example.org/kinglet")
        #expect(
            ServiceStatus.text(boundJID: jid, connection: ConnectionInfo(server: "xmpp.example.org:5222"), device: healthy)
                == "online as sensor@example.org/kinglet via xmpp.example.org:5222 · 0 readings waiting · sensors OK")
        #expect(ServiceStatus.text(boundJID: nil, connection: ConnectionInfo(), device: healthy)
            == "connecting · 0 readings waiting · sensors OK")
        var failing = DeviceStatus(
            health: DeviceHealth(
                sensorCount: 3, controlCount: 1, problems: [.init(name: "temperature", reason: "x"), .init(name: "relay", reason: "y")],
                overruns: 0),
            pendingReadings: 1, outboxDegraded: true)
        let ending = ConnectionInfo.Ending(at: Timestamp(secondsSinceEpoch: 0), reason: "connection refused")
        #expect(
            ServiceStatus.text(boundJID: nil, connection: ConnectionInfo(lastDisconnect: ending), device: failing)
                == "offline (connection refused) · 1 reading waiting · outbox in memory (disk not writable) · failing: temperature, relay")
        failing.pendingReadings = 12
        #expect(ServiceStatus.text(boundJID: jid, connection: ConnectionInfo(), device: failing).contains("12 readings waiting"))
    }
}
