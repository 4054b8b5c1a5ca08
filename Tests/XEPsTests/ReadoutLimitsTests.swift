import Readings
import Session
import Support
import TestSupport
import Testing
import XMLStream
import XMPPCore
@testable import XEPs

/// A sender whose link has room for one bulk stanza per permit: what a congested session is
/// to a readout.
actor GatedSender: StanzaSender {
    private(set) var stanzas: [XMLElement] = []
    private var permits = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func send(_ stanza: XMLElement, tag: StanzaTag?) -> Bool {
        stanzas.append(stanza)
        return true
    }

    func waitForBulkRoom() async -> Bool {
        while permits == 0 { await withCheckedContinuation { waiting.append($0) } }
        permits -= 1
        return true
    }

    /// How many senders wait for room now.
    var waiters: Int { waiting.count }

    /// Lets `count` more bulk stanzas go.
    func grant(_ count: Int) {
        permits += count
        let woken = waiting
        waiting.removeAll()
        for waiter in woken { waiter.resume() }
    }

    /// Waits until `count` stanzas were sent (or the deadline passed); returns them all.
    func wait(for count: Int) async -> [XMLElement] {
        _ = await eventually { stanzas.count >= count }
        return stanzas
    }
}

/// XEP-0323 under load: history a page at a time as the link drains, and the shares of
/// readouts in progress and scheduled readouts.
@Suite(.serialized) struct ReadoutLimitsTests {
    private let ns = SensorDataXML.namespace
    private let viewerJIDs = (0..<6).map { try! JID("v\($0)@example.net/c") }

    private func exchange(_ handler: SensorDataHandler, _ request: XMLElement, from: JID = alice, role: Role = .viewer) async -> XMLElement {
        let reply = await handler.handle(request, from: from, role: role)
        await handler.afterReply(reply, to: request, from: from, role: role)
        return reply
    }

    private func historical(_ seqnr: Int) throws -> XMLElement {
        try iq("get", "<req xmlns='\(ns)' seqnr='\(seqnr)' from='1900-01-01T00:00:00Z' to='2100-01-01T00:00:00Z'/>", id: "h\(seqnr)")
    }

    private func scheduled(_ seqnr: Int) throws -> XMLElement {
        let later = Timestamp.now().adding(milliseconds: 3_600_000).xsDateTime
        return try iq("get", "<req xmlns='\(ns)' seqnr='\(seqnr)' momentary='true' when='\(later)'/>", id: "s\(seqnr)")
    }

    /// 350 stored readings, seven to a timestamp, so that pages end in the middle of one.
    private func storeHistory(_ fixture: DeviceFixture) async {
        let t0 = Timestamp(xsDateTime: "2024-05-01T10:00:00Z")!
        var sequence: UInt64 = 0
        for step in 0..<50 {
            let readings = (0..<7).map { index -> Reading in
                sequence += 1
                return Reading(sequence: sequence, name: "temperature", value: .numeric(Double(index), decimals: 0), unit: "°C",
                               timestamp: t0.adding(milliseconds: Int64(step) * 1000))
            }
            await fixture.store.append(ReadingBatch(readings))
        }
    }

    @Test func historyLeavesAPageAtATimeAsTheLinkHasRoom() async throws {
        let fixture = try await DeviceFixture()
        await storeHistory(fixture)
        let link = GatedSender()
        let handler = fixture.readoutHandler(sender: link)
        #expect(await exchange(handler, try historical(1)).stanzaType == "result")
        // Nothing goes while the link is full; each bit of room lets one page go.
        #expect(await eventually { await link.waiters == 1 })
        #expect(await link.stanzas.isEmpty)
        await link.grant(2)
        #expect(await link.wait(for: 2).count == 2)
        #expect(await eventually { await link.waiters == 1 })  // waiting for room for the third page
        #expect(await link.stanzas.count == 2)
        await link.grant(10)
        let sent = await link.wait(for: 4)
        let pages = sent.compactMap { $0.child("fields", namespace: ns).flatMap(SensorDataXML.parseFields) }
        #expect(pages.map(\.readings.count) == [100, 100, 100, 50])
        #expect(pages.map(\.done) == [false, false, false, true])
        // Every stored reading once, in order, across pages that split a timestamp.
        let values = pages.flatMap(\.readings).map(\.timestamp)
        #expect(values == values.sorted())
        #expect(values.count == 350)
        await fixture.close()
    }

    @Test func readoutsInProgressAreSharedPerRequesterWithAPoolForOperators() async throws {
        let fixture = try await DeviceFixture()
        await storeHistory(fixture)
        let link = GatedSender()
        var limits = ConsumerLimits()
        limits.readouts = SharePolicy(perConsumer: 2, perDomain: 4, viewers: 3, operators: 1)
        let handler = fixture.readoutHandler(sender: link, limits: limits)
        #expect(await exchange(handler, try historical(1)).stanzaType == "result")
        #expect(await exchange(handler, try historical(2)).stanzaType == "result")
        let third = await exchange(handler, try historical(3))
        #expect(StanzaError(stanza: third)?.condition == .resourceConstraint)
        #expect(StanzaError(stanza: third)?.text?.contains("at most 2 per requester") == true)
        #expect(await exchange(handler, try historical(4), from: viewerJIDs[0]).stanzaType == "result")
        #expect(StanzaError(stanza: await exchange(handler, try historical(5), from: viewerJIDs[1]))?.condition == .resourceConstraint)
        // The viewers' pool is full; the operators' is not.
        #expect(await exchange(handler, try historical(6), from: viewerJIDs[2], role: .operator).stanzaType == "result")
        // Once the link drains and the readouts end, their shares are free again.
        await link.grant(1000)
        let allFour = await link.wait(for: 16)
        #expect(allFour.filter { $0.child("fields", namespace: ns)?.attribute("done") == "true" }.count == 4)
        let again = await eventually { await exchange(handler, try! historical(7)).stanzaType == "result" }
        #expect(again)
        await fixture.close()
    }

    @Test func viewersSchedulingReadoutsLeaveTheOperatorsShareAndAnOperatorCancelsAnyone() async throws {
        let fixture = try await DeviceFixture()
        var limits = ConsumerLimits()
        limits.scheduledReadouts = SharePolicy(perConsumer: 1, perDomain: 8, viewers: 3, operators: 2)
        let handler = fixture.readoutHandler(limits: limits)
        for (index, viewer) in viewerJIDs.prefix(3).enumerated() {
            #expect(await exchange(handler, try scheduled(10 + index), from: viewer).payload?.attribute("queued") == "true")
        }
        let refused = await exchange(handler, try scheduled(13), from: viewerJIDs[3])
        #expect(StanzaError(stanza: refused)?.condition == .resourceConstraint)
        #expect(StanzaError(stanza: refused)?.text?.contains("at most 3 for all viewers") == true)
        #expect(await exchange(handler, try scheduled(20), from: alice, role: .operator).payload?.attribute("queued") == "true")
        // An operator cancels a viewer's readout by its number; its share is free again.
        let cancel = try iq("get", "<cancel xmlns='\(ns)' seqnr='11'/>", id: "c1")
        #expect(await exchange(handler, cancel, from: alice, role: .operator).payload?.name == "cancelled")
        #expect(await exchange(handler, try scheduled(13), from: viewerJIDs[3]).payload?.attribute("queued") == "true")
        // A viewer's cancel only ever reaches its own.
        let viewerCancel = try iq("get", "<cancel xmlns='\(ns)' seqnr='10'/>", id: "c2")
        _ = await exchange(handler, viewerCancel, from: viewerJIDs[4])
        #expect(StanzaError(stanza: await exchange(handler, try scheduled(14), from: viewerJIDs[5]))?.condition == .resourceConstraint)
        await fixture.close()
    }
}
