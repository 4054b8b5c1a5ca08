import Testing
@testable import XMLStream

/// The stanza size and depth caps, however the bytes are chunked.
@Suite struct LimitsTests {
    /// A message whose serialization is exactly `size` bytes.
    static func message(bytes size: Int) -> String {
        let shell = "<message><body></body></message>"
        return "<message><body>" + String(repeating: "x", count: size - shell.utf8.count) + "</body></message>"
    }

    @Test(arguments: [[Int.max], [1], [7], [100]])
    func stanzaAtTheCapPassesAndOneByteMoreFails(pieces: [Int]) throws {
        let limits = XMLStreamLimits(maxStanzaBytes: 300)
        let pieceSizes = Array(repeating: pieces[0], count: 10_000)
        // The first stanza follows the header; the next follow a stanza and a keepalive.
        let ok = Fixtures.streamBytes(Self.message(bytes: 300) + Self.message(bytes: 300) + " " + Self.message(bytes: 300))
        let events = try Fixtures.parse(ok, pieces: pieceSizes, parser: LibXML2StreamParser(limits: limits))
        #expect(Fixtures.elements(events).count == 3)

        let (fits, over) = (Self.message(bytes: 300), Self.message(bytes: 301))
        for body in [over, fits + over, fits + " " + over] {
            let error = #expect(throws: XMLStreamError.self) {
                try Fixtures.parse(Fixtures.streamBytes(body), pieces: pieceSizes, parser: LibXML2StreamParser(limits: limits))
            }
            #expect(error?.condition == .policyViolation)
        }
    }

    @Test(arguments: [
        ("text", "<message><body>", "x"),
        ("children", "<message>", "<a/>"),
        ("attribute value that never ends", "<message id='", "y"),
        ("start tag that never ends", "<message ", "x"),
        ("comment that never ends", "<!--", "z"),
    ])
    func hugeStanzaInChunksStopsAtTheCap(_ label: String, opening: String, filler: String) {
        let limits = XMLStreamLimits()
        let parser = LibXML2StreamParser(limits: limits)
        var fed = 0
        var failure: XMLStreamError?
        do {
            fed += try feedCounting(parser, Fixtures.streamBytes(opening))
            let chunk = Array(String(repeating: filler, count: 64 * 1024 / filler.utf8.count).utf8)
            while fed < 10 * 1024 * 1024 {
                _ = try parser.feed(chunk)
                fed += chunk.count
            }
        } catch {
            failure = error
        }
        #expect(failure?.condition == .policyViolation, "\(label)")
        // `fed` counts the chunks that were accepted: the first chunk to cross the cap failed,
        // so nothing near 10 MB was ever held.
        #expect(fed <= limits.maxStanzaBytes + Fixtures.header.utf8.count, "\(label): accepted \(fed) bytes")
        #expect(fed + 64 * 1024 > limits.maxStanzaBytes, "\(label): failed early, after \(fed) bytes")
    }

    private func feedCounting(_ parser: LibXML2StreamParser, _ bytes: [UInt8]) throws(XMLStreamError) -> Int {
        _ = try parser.feed(bytes)
        return bytes.count
    }

    @Test func tenMegabyteStanzaFedWholeFails() {
        let bytes = Fixtures.streamBytes("<message><body>" + String(repeating: "x", count: 10 * 1024 * 1024) + "</body></message>")
        #expect(Fixtures.failure(bytes) == .policyViolation)
    }

    @Test func depthAtTheCapPassesAndOneMoreFails() throws {
        let limits = XMLStreamLimits(maxDepth: 64)
        // The stream root is depth 1, so 63 nested elements reach depth 64.
        let ok = String(repeating: "<a>", count: 63) + String(repeating: "</a>", count: 63)
        #expect(Fixtures.elements(try Fixtures.parseWhole(Fixtures.streamBytes(ok), limits: limits)).count == 1)
        let deep = String(repeating: "<a>", count: 64) + String(repeating: "</a>", count: 64)
        #expect(Fixtures.failure(Fixtures.streamBytes(deep), limits: limits) == .policyViolation)
    }

    @Test func hundredThousandDeepNestingFails() {
        let deep = Fixtures.streamBytes(String(repeating: "<a>", count: 100_000))
        #expect(Fixtures.failure(deep) == .policyViolation)
        let parser = LibXML2StreamParser()
        let error = #expect(throws: XMLStreamError.self) {
            try Fixtures.parse(deep, pieces: Array(repeating: 999, count: 1000), parser: parser)
        }
        #expect(error?.condition == .policyViolation)
    }

    @Test func manyStanzasInOneStreamAreNotCountedTogether() throws {
        let limits = XMLStreamLimits(maxStanzaBytes: 1024)
        let parser = LibXML2StreamParser(limits: limits)
        _ = try parser.feed(Fixtures.streamBytes(""))
        var received = 0
        for _ in 0..<2000 {
            received += Fixtures.elements(try parser.feed(Array((Self.message(bytes: 600) + " ").utf8))).count
        }
        #expect(received == 2000)
    }
}
