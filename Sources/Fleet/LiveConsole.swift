import Readings
import Agent
import Glibc
import Store
import Support
import Synchronization
import XEPs
import XMPPCore

/// `kinglet fleet watch` and `export`: the console kept running until SIGINT or SIGTERM,
/// printing as presences and published readings arrive.
enum LiveConsole {
    /// A live table on a terminal (redrawn at most every 250 ms), JSON lines of events otherwise.
    static func watch(_ console: FleetConsole, wait: Duration) async -> Int32 {
        let board = WatchBoard(terminal: isatty(1) == 1)
        let signals = SignalWatcher()
        await console.start(listener: { event in board.take(event) })
        guard await console.waitOnline(timeout: max(wait, console.configuration.xmpp.connectTimeout * 2)) else {
            printError("kinglet fleet: could not log in as \(console.configuration.xmpp.jid)")
            await console.stop()
            return ExitStatus.failure
        }
        let devices = await console.discover(timeout: wait)
        await console.fetchPublished(from: Array(Set(devices.map(\.jid.bare))))
        let redraw = Task {
            while !Task.isCancelled {
                board.redraw()
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
        for await _ in signals.signals { break }
        redraw.cancel()
        await console.stop()
        return ExitStatus.success
    }

    /// Every reading of every discovered device, once, until stopped: live notifications (caps
    /// `+notify`, and a subscription to each device's node, which reaches across a server
    /// cluster), and after every login what the devices' nodes still hold.
    static func export(_ console: FleetConsole, wait: Duration, format name: String?) async -> Int32 {
        guard let format = ExportFormat(rawValue: name ?? "jsonl") else {
            printError("kinglet fleet export: unknown format '\(name ?? "")': use jsonl or csv")
            return ExitStatus.usage
        }
        let writer = ExportWriter(format: format)
        let signals = SignalWatcher()
        let logins = AsyncStream<Void>.makeStream()
        // What the nodes hold; a gap still open before a node's oldest item is lost for good.
        let fetch: @Sendable ([JID]) async -> Void = { devices in
            for (device, oldest) in await console.fetchPublished(from: devices) { writer.settle(device, oldestHeld: oldest) }
        }
        // Fetches asked for by live events, one after another on one task, so that a stop can
        // wait for those already asked for: the summary then counts every gap warned of.
        let (fetchRequests, fetchSink) = AsyncStream.makeStream(of: [JID].self)
        let fetcher = Task {
            for await devices in fetchRequests { await fetch(devices) }
        }
        await console.start(listener: { event in
            switch event {
            case .batch(let device, let batch):
                // A gap before a new batch: fetch what the device's node still holds.
                if writer.write(device, batch) { fetchSink.yield([device]) }
            case .device(let record) where record.online:
                Task { fetchSink.yield(await console.subscribe(to: [record.jid.bare])) }
            case .online(resumed: false): logins.continuation.yield()
            default: break
            }
        })
        let catchUp = Task {
            // After each new session: find the devices again and fetch what their nodes hold.
            for await _ in logins.stream {
                let devices = Array(Set(await console.discover(timeout: wait).map(\.jid.bare)))
                _ = await console.subscribe(to: devices)
                await fetch(devices)
            }
        }
        // Devices whose node did not exist yet when they showed up (a new device, a server that
        // failed to create it): again every 10 s, then what their nodes hold.
        let subscriber = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(10))
                await fetch(await console.subscribe(to: await console.unsubscribedDevices))
            }
        }
        for await _ in signals.signals { break }
        subscriber.cancel()
        catchUp.cancel()
        logins.continuation.finish()
        fetchSink.finish()
        await fetcher.value  // each request has the console's time limit
        await console.stop()
        writer.finish()
        return ExitStatus.success
    }
}

/// What `watch` shows: every device and its latest readings.
final class WatchBoard: Sendable {
    private struct State {
        var devices: [JID: DeviceRecord] = [:]
        var readings: [JID: [String: String]] = [:]
        var dirty = true
    }
    private let terminal: Bool
    private let state = Mutex(State())

    init(terminal: Bool) {
        self.terminal = terminal
    }

    func take(_ event: ConsoleEvent) {
        var line: String?
        state.withLock { state in
            switch event {
            case .device(let record):
                state.devices[record.jid] = record
                line = "{\"event\":\"device\",\"device\":" + ConsoleOutput.deviceJSON(record) + "}\n"
            case .batch(let device, let batch):
                for reading in batch.readings { state.readings[device, default: [:]][reading.name] = ConsoleOutput.readingText(reading) }
                let fields = batch.readings.map { "{\"name\":\(ConsoleOutput.json($0.name)),\"value\":\($0.value.map(ExportFormat.jsonValue) ?? "null"),\"unit\":\(ConsoleOutput.json($0.unit))}" }
                line = "{\"event\":\"readings\",\"device\":\(ConsoleOutput.json(device.description)),\"batch\":\(batch.first),\"fields\":[\(fields.joined(separator: ","))]}\n"
            case .online(let resumed):
                line = "{\"event\":\"online\",\"resumed\":\(resumed)}\n"
            case .offline(let reason):
                line = "{\"event\":\"offline\",\"reason\":\(ConsoleOutput.json(reason))}\n"
            }
            state.dirty = true
        }
        if !terminal, let line { writeAll(fd: 1, Array(line.utf8)) }
    }

    /// On a terminal: the table again, in place, if anything changed.
    func redraw() {
        guard terminal else { return }
        let text: String? = state.withLock { state in
            guard state.dirty else { return nil }
            state.dirty = false
            let rows = state.devices.values.sorted { $0.jid.description < $1.jid.description }.map { d in
                [d.jid.description, d.online ? (d.show ?? "online") : "offline", d.status ?? "-",
                 (state.readings[d.jid.bare] ?? [:]).sorted { $0.key < $1.key }.map(\.value).joined(separator: "  ")]
            }
            return ConsoleOutput.table(["DEVICE", "PRESENCE", "STATUS", "LATEST READINGS"], rows)
        }
        guard let text else { return }
        writeAll(fd: 1, Array(("\u{1B}[H\u{1B}[2J" + "kinglet fleet watch (Ctrl-C to stop)\n" + text).utf8))
    }
}
