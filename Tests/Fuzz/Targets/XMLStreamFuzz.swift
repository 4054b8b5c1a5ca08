import XMLStream

/// The incoming stream parser on libxml2: a server's stream header, then the input, split
/// into chunks at points the input chooses (UTF-8 sequences, tags and references cut
/// anywhere), under small or default limits.
///
/// Input: one byte of settings (low 4 bits: how many chunk lengths follow; high bits: the
/// limits), the chunk lengths (one byte each), then the bytes of the stream.
///
/// Invariants, beyond not crashing:
/// - the split does not matter: when the bytes fed whole and split both parse, the events are equal;
/// - after an error the parser stays dead: the next feed throws the same error;
/// - every element it returns serializes to XML that parses back to an equal element.
enum XMLStreamFuzz: FuzzTarget {
    static let name = "xml-stream"

    static let header = Array(
        ("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
            + "id='fuzz' from='example.org' version='1.0'>").utf8)

    static func run(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        let settings = input.byte()
        let lengths = input.take(Int(settings & 0x0F)).map(Int.init)
        let limits: XMLStreamLimits =
            switch settings >> 6 {
            case 0: XMLStreamLimits()
            case 1: XMLStreamLimits(maxStanzaBytes: 512, maxDepth: 8)
            case 2: XMLStreamLimits(maxStanzaBytes: 64, maxDepth: 3)
            default: XMLStreamLimits(maxStanzaBytes: 4096, maxDepth: 64)
            }
        let data = input.rest()

        let split = parse(chunks(of: data, lengths: lengths), limits: limits)
        let whole = parse([data], limits: limits)
        // Only when both succeed: at the end of the input libxml2's push parser may still be
        // waiting for more bytes in one run where the other already saw the error (a `>` inside
        // an attribute value makes it try a tag early), so one failure alone proves nothing.
        if case .success(let a) = split, case .success(let b) = whole {
            precondition(a == b, "the split changed the events")
        }
        for case .success(let events) in [split, whole] {
            for case .element(let element) in events { checkRoundTrip(element) }
        }
    }

    /// `data` cut after each length in turn (0 means: the rest), the rest as the last chunk.
    static func chunks(of data: [UInt8], lengths: [Int]) -> [[UInt8]] {
        var chunks: [[UInt8]] = []
        var start = 0
        for length in lengths where start < data.count {
            let end = length == 0 ? data.count : min(data.count, start + length)
            chunks.append(Array(data[start..<end]))
            start = end
        }
        if start < data.count { chunks.append(Array(data[start...])) }
        return chunks
    }

    /// The events of the header and `chunks`, or the error that ended the stream.
    static func parse(_ chunks: [[UInt8]], limits: XMLStreamLimits) -> Result<[StreamEvent], XMLStreamError> {
        let parser = LibXML2StreamParser(limits: limits)
        var events: [StreamEvent] = []
        for chunk in [header] + chunks {
            do throws(XMLStreamError) {
                events += try parser.feed(chunk)
            } catch {
                do throws(XMLStreamError) {
                    _ = try parser.feed(Array("<a/>".utf8))
                    preconditionFailure("the parser took more input after failing with \(error)")
                } catch let again {
                    precondition(again == error, "a dead parser threw \(again) after \(error)")
                }
                return .failure(error)
            }
        }
        return .success(events)
    }

    /// What the agent serializes from a parsed element must read back the same.
    static func checkRoundTrip(_ element: XMLElement) {
        let text = element.serialized(inheritedNamespace: XMLNamespace.jabberClient)
        do throws(XMLStreamError) {
            let again = try XMLElement(parsing: text, limits: XMLStreamLimits(maxStanzaBytes: 64 << 20, maxDepth: 64))
            precondition(again == element, "serialized and parsed again, an element changed: \(text)")
        } catch {
            preconditionFailure("a parsed element serialized to XML that does not parse (\(error)): \(text)")
        }
    }
}
