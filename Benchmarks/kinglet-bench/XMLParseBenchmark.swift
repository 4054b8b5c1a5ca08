import XMLStream

/// Parse and serialization throughput of the XML stream layer on a stream of typical stanzas:
/// XEP-0323 readout messages, IQs (disco, ping, readout requests and results) and presences
/// with caps, fed in 16 KiB pieces as TLS records would deliver them. Rates are per second of
/// process CPU time, which other processes on a shared machine do not disturb.
func xmlParseBenchmark() async throws -> [Figure] {
    let stanzas = XMLBenchmarkStream.stanzas(count: 3000)
    var body = [UInt8]()
    for stanza in stanzas {
        stanza.serialize(into: &body, inheritedNamespace: XMLNamespace.jabberClient)
    }
    let parser = LibXML2StreamParser()
    _ = try parser.feed(Array(StreamTags.opening(to: "dev@example.org").utf8))

    // Parse: one long-lived stream, as a connection sees it, fed 16 KiB at a time, for at least
    // 1.5 s of CPU. The memory figure shows whether a long stream makes the parser grow.
    var parsedBytes = 0
    var parsedStanzas = 0
    let rssBefore = Stopwatch.rssAnonKiB()
    let parseStart = Stopwatch.cpuSeconds()
    while Stopwatch.cpuSeconds() - parseStart < 1.5 {
        var offset = 0
        while offset < body.count {
            let end = min(body.count, offset + 16 * 1024)
            let events = try body[offset..<end].withUnsafeBytes { try parser.feed($0) }
            for case .element(_) in events { parsedStanzas += 1 }
            offset = end
        }
        parsedBytes += body.count
    }
    let parseSeconds = Stopwatch.cpuSeconds() - parseStart
    let rssGrowth = Stopwatch.rssAnonKiB() - rssBefore
    guard parsedStanzas == parsedBytes / body.count * stanzas.count else {
        throw XMLStreamError(.notWellFormed, operation: "benchmark", message: "parsed \(parsedStanzas) stanzas")
    }

    // Serialize: every stanza into one reused buffer, as the send path does.
    var buffer = [UInt8]()
    buffer.reserveCapacity(64 * 1024)
    var writtenBytes = 0
    var writtenStanzas = 0
    let writeStart = Stopwatch.cpuSeconds()
    while Stopwatch.cpuSeconds() - writeStart < 1.5 {
        for stanza in stanzas {
            buffer.removeAll(keepingCapacity: true)
            stanza.serialize(into: &buffer, inheritedNamespace: XMLNamespace.jabberClient)
            writtenBytes += buffer.count
        }
        writtenStanzas += stanzas.count
    }
    let writeSeconds = Stopwatch.cpuSeconds() - writeStart

    return [
        Figure(name: "xml.stream.mean_stanza", value: Double(body.count) / Double(stanzas.count), unit: "bytes"),
        Figure(name: "xml.parse.throughput", value: Double(parsedBytes) / parseSeconds / 1e6, unit: "MB/s of CPU"),
        Figure(name: "xml.parse.stanzas", value: Double(parsedStanzas) / parseSeconds, unit: "stanzas/s of CPU"),
        Figure(name: "xml.parse.rss_anon_growth", value: rssGrowth, unit: "KiB after \(parsedBytes / 1_000_000) MB in one stream"),
        Figure(name: "xml.serialize.throughput", value: Double(writtenBytes) / writeSeconds / 1e6, unit: "MB/s of CPU"),
        Figure(name: "xml.serialize.stanzas", value: Double(writtenStanzas) / writeSeconds, unit: "stanzas/s of CPU"),
    ]
}

/// A deterministic mix of the stanzas a sensor agent sees and sends.
enum XMLBenchmarkStream {
    static func stanzas(count: Int) -> [XMLElement] {
        (0..<count).map { i in
            switch i % 5 {
            case 0, 1: readout(i)
            case 2: presence(i)
            case 3: discoResult(i)
            default: XMLElement("iq", attributes: ["type": "get", "id": "ping\(i)", "from": "example.org"]) {
                XMLElement("ping", namespace: "urn:xmpp:ping")
            }
            }
        }
    }

    private static func readout(_ i: Int) -> XMLElement {
        XMLElement("message", attributes: ["to": "alice@example.org/phone", "id": "r\(i)"]) {
            XMLElement("fields", namespace: "urn:xmpp:iot:sensordata", attributes: ["seqnr": "\(i)", "done": "true"]) {
                XMLElement("node", attributes: ["nodeId": "Dev01"]) {
                    XMLElement("timestamp", attributes: ["value": "2024-01-01T12:00:\(10 + i % 50)Z"]) {
                        XMLElement("numeric", attributes: [
                            "name": "Temperature", "momentary": "true", "automaticReadout": "true", "value": "23.\(i % 10)", "unit": "°C",
                        ])
                        XMLElement("numeric", attributes: ["name": "Humidity", "momentary": "true", "value": "41.\(i % 7)", "unit": "%"])
                        XMLElement("numeric", attributes: ["name": "Pressure", "momentary": "true", "value": "1013.\(i % 9)", "unit": "hPa"])
                        XMLElement("boolean", attributes: ["name": "Door", "status": "true", "value": i % 2 == 0 ? "true" : "false"])
                        XMLElement("string", attributes: ["name": "Location", "identity": "true", "value": "Bench & Lab <2>"])
                    }
                }
            }
            XMLElement("delay", namespace: "urn:xmpp:delay", attributes: ["stamp": "2024-01-01T12:00:00Z"])
        }
    }

    private static func presence(_ i: Int) -> XMLElement {
        XMLElement("presence", attributes: ["from": "bob@example.org/res\(i % 13)"]) {
            XMLElement("show", text: "away")
            XMLElement("status", text: "Back in 5 – grüß dich")
            XMLElement("c", namespace: "http://jabber.org/protocol/caps", attributes: [
                "hash": "sha-1", "node": "https://gajim.org", "ver": "T7fOZrtBnV8sDA2fFTS59vBhPU4=",
            ])
        }
    }

    private static let features = [
        "http://jabber.org/protocol/caps", "http://jabber.org/protocol/disco#info", "urn:xmpp:ping", "urn:xmpp:iot:sensordata",
        "urn:xmpp:iot:control",
    ]

    private static func discoResult(_ i: Int) -> XMLElement {
        XMLElement("iq", attributes: ["type": "result", "id": "disco\(i)", "to": "alice@example.org/phone"]) {
            XMLElement("query", namespace: "http://jabber.org/protocol/disco#info") {
                XMLElement("identity", attributes: ["category": "client", "type": "bot", "name": "Kinglet"])
                for feature in features {
                    XMLElement("feature", attributes: ["var": feature])
                }
            }
        }
    }
}
