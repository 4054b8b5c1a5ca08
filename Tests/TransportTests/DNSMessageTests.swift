import Testing
@testable import Transport

@Suite struct DNSMessageTests {
    /// Encodes a name as DNS labels.
    func labels(_ name: String) -> [UInt8] {
        var out: [UInt8] = []
        for label in name.split(separator: ".") {
            out.append(UInt8(label.utf8.count))
            out += Array(label.utf8)
        }
        return out + [0]
    }

    func u16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }

    /// A response to `_xmpp-client._tcp.example.org SRV` with the given answers.
    func response(_ answers: [[UInt8]]) -> [UInt8] {
        var m: [UInt8] = u16(0x1234) + u16(0x8180) + u16(1) + u16(UInt16(answers.count)) + u16(0) + u16(0)
        m += labels("_xmpp-client._tcp.example.org") + u16(33) + u16(1)
        for a in answers { m += a }
        return m
    }

    func srv(priority: UInt16, weight: UInt16, port: UInt16, target: [UInt8]) -> [UInt8] {
        let rdata = u16(priority) + u16(weight) + u16(port) + target
        // Owner name as a pointer to the question name at offset 12.
        return [0xC0, 12] + u16(33) + u16(1) + [0, 0, 1, 0] + u16(UInt16(rdata.count)) + rdata
    }

    @Test func parsesPlainAndCompressedTargets() throws {
        // The second target ends in a pointer to "example.org" inside the question name.
        let questionSuffix = 12 + 1 + "_xmpp-client".utf8.count + 1 + "_tcp".utf8.count
        let compressed: [UInt8] = [4] + Array("xmpp".utf8) + [0xC0, UInt8(questionSuffix)]
        let message = response([
            srv(priority: 5, weight: 10, port: 5222, target: labels("a.example.org")),
            srv(priority: 0, weight: 0, port: 5269, target: compressed),
        ])
        let records = try #require(DNSMessage.srvRecords(in: message))
        #expect(records == [
            SRVRecord(priority: 5, weight: 10, port: 5222, target: "a.example.org"),
            SRVRecord(priority: 0, weight: 0, port: 5269, target: "xmpp.example.org"),
        ])
    }

    @Test func rootTargetIsDot() throws {
        let records = try #require(DNSMessage.srvRecords(in: response([srv(priority: 0, weight: 0, port: 0, target: [0])])))
        #expect(records.first?.target == ".")
    }

    @Test func truncatedOrLoopingMessagesAreRejected() {
        let good = response([srv(priority: 1, weight: 1, port: 1, target: labels("x.org"))])
        for cut in 13..<good.count {
            #expect(DNSMessage.srvRecords(in: Array(good[0..<cut])) == nil, "cut at \(cut)")
        }
        let loop = response([srv(priority: 1, weight: 1, port: 1, target: [0xC0, UInt8(good.count - 2)])])
        // A pointer that points at itself must not hang; it is rejected.
        let selfPointer = loop.count - 2
        var looping = loop
        looping[selfPointer] = 0xC0
        looping[selfPointer + 1] = UInt8(selfPointer)
        #expect(DNSMessage.srvRecords(in: looping) == nil)
    }
}
