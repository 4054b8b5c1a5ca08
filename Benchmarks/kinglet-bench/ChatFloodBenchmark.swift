import Agent
import Session
import Support
import XMLStream
import XMPPCore

/// `kinglet-bench chat-flood --config FILE --to JID --count N`: logs in with the agent's own
/// session code, sends N chat messages over TLS and waits until the server has acknowledged
/// every one (XEP-0198), then reports the CPU time it took. Run by Benchmarks/bench_agent.py,
/// which provides the Prosody.
func chatFlood(_ words: [String]) async throws -> [Figure] {
    var options: [String: String] = [:]
    var i = 0
    while i + 1 < words.count {
        options[words[i]] = words[i + 1]
        i += 2
    }
    guard let path = options["--config"], let to = options["--to"] else {
        throw BenchmarkError("usage: chat-flood --config FILE --to JID [--count N]")
    }
    let count = Int(options["--count"] ?? "20000") ?? 20000
    let configuration = try AgentConfiguration.load(path: path)
    Logger.configure(level: configuration.log.level)
    let cpuAtStart = Stopwatch.cpuSeconds()
    let session = try XMPPSession(configuration: configuration.xmpp.sessionConfiguration())
    let running = Task { await session.run() }
    var events = session.events.makeAsyncIterator()
    while let event = await events.next() {
        if case .online = event { break }
    }
    let cpuOnline = Stopwatch.cpuSeconds()
    let start = Stopwatch.now()
    for n in 0..<count {
        let message = XMLElement("message", namespace: Namespace.client, attributes: ["to": to, "type": "chat"]) {
            XMLElement("body", text: "reading \(n): 21.5 °C")
        }
        await session.send(message, tag: StanzaTag(UInt64(n)))
    }
    var acknowledged = 0
    while acknowledged < count, let event = await events.next() {
        if case .acknowledged(let tags) = event { acknowledged += tags.count }
        if case .offline(let reason) = event { throw BenchmarkError("went offline: \(reason)") }
    }
    let elapsed = Stopwatch.now() - start
    let cpuSent = Stopwatch.cpuSeconds()
    await session.stop()
    await running.value
    return [
        Figure(name: "chat.flood.messages", value: Double(count), unit: "messages, all acknowledged (XEP-0198)"),
        Figure(name: "chat.flood.cpu", value: cpuSent - cpuOnline, unit: "s CPU to send them (budget: <= 0.23 s, the C agent)"),
        Figure(name: "chat.flood.cpu_with_login", value: cpuSent - cpuAtStart, unit: "s CPU including TLS and login"),
        Figure(name: "chat.flood.wall", value: elapsed, unit: "s until the last ack"),
        Figure(name: "chat.flood.rate", value: Double(count) / elapsed, unit: "messages/s"),
    ]
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
