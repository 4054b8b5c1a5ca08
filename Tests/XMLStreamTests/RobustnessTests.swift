import Testing
@testable import XMLStream

/// Random damage to a valid stream, fed in random pieces: every run must end in events or in
/// an `XMLStreamError`, never a crash, and the parser must work again after `reset()`.
@Suite struct RobustnessTests {
    static let fragments: [[UInt8]] = ["<", ">", "&", ";", "&#", "&#x", "'", "\"", "/", "<!--", "<?", "<![CDATA[", "]]>",
        "<!DOCTYPE x [", "<!ENTITY e 'v'>", "&amp;", "xmlns:", "xmlns='", "</", "/>", "\u{0}", "\u{FEFF}", "é", "🌡"]
        .map { Array($0.utf8) } + [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0x80]]

    @Test(arguments: 0..<8)
    func mutatedStreamsNeverCrash(seed: UInt64) throws {
        var random = SeededGenerator(seed: 0x4B49_4E47 &+ seed)
        let valid = try Fixtures.parseWhole()
        let parser = LibXML2StreamParser(limits: XMLStreamLimits(maxStanzaBytes: 1024, maxDepth: 8))
        var failures = 0
        for _ in 0..<250 {
            let bytes = Self.mutate(Fixtures.stream, using: &random)
            var pieces = [Int]()
            while pieces.reduce(0, +) < bytes.count { pieces.append(Int.random(in: 1...300, using: &random)) }
            do {
                _ = try Fixtures.parse(bytes, pieces: pieces, parser: parser)
            } catch {
                failures += 1
                #expect(!error.message.isEmpty)
            }
            parser.reset()
        }
        #expect(failures > 0, "the mutations do break streams")
        // Tight limits reject the biggest stanza, so check reuse with a default parser too.
        parser.reset()
        #expect(throws: XMLStreamError.self) { try parser.feed(Fixtures.stream) }
        let fresh = LibXML2StreamParser()
        _ = try? fresh.feed(Self.mutate(Fixtures.stream, using: &random))
        fresh.reset()
        #expect(try fresh.feed(Fixtures.stream) == valid)
    }

    static func mutate(_ input: [UInt8], using random: inout SeededGenerator) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let at = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<5, using: &random) {
            case 0: bytes[at] = UInt8.random(in: 0...255, using: &random)
            case 1: bytes.insert(contentsOf: fragments.randomElement(using: &random)!, at: at)
            case 2: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...40, using: &random)))
            case 3:
                let end = min(bytes.count, at + Int.random(in: 1...200, using: &random))
                bytes.insert(contentsOf: bytes[at..<end], at: Int.random(in: 0..<bytes.count, using: &random))
            default: bytes[at] ^= 1 << UInt8.random(in: 0...7, using: &random)
            }
            if bytes.isEmpty { bytes = input }
        }
        return bytes
    }
}
