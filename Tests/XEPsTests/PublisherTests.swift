import Readings
import Foundation
import Session
import Store
import Support
import Synchronization
import Testing
import TestSupport
import XMLStream
import XMPPCore
@testable import XEPs

/// A session stand-in: records what the publisher sends and answers when the test says so.
actor ScriptedTransport: PublishTransport {
    struct Sent {
        let iq: XMLElement
        let tag: StanzaTag?
        let generation: Int?
    }

    private(set) var sent: [Sent] = []
    /// Publishes refused because offline or meant for another stream.
    private(set) var refused = 0
    private(set) var requests: [XMLElement] = []
    private var pending: [String: @Sendable (Result<XMLElement, RequestError>) -> Void] = [:]
    var online = true
    var generation = 1
    var smActive = true
    var features: Set<String> = [PubSubXML.publishOptionsFeature]
    /// Whether the disco#info answer shows an account with PEP (the pubsub/pep identity).
    var pep = true
    /// Answers to `request` (node set-up), by the name of the pubsub child; default: a result.
    var requestAnswers: [String: RequestError] = [:]

    func sendRequest(
        _ iq: XMLElement, tag: StanzaTag?, timeout: Duration?, generation: Int?,
        response: @escaping @Sendable (Result<XMLElement, RequestError>) -> Void
    ) async -> Bool {
        guard online, generation == nil || generation == self.generation else {
            refused += 1
            return false
        }
        sent.append(Sent(iq: iq, tag: tag, generation: generation))
        pending[iq.id ?? ""] = response
        return true
    }

    func request(_ iq: XMLElement, timeout: Duration?) async -> Result<XMLElement, RequestError> {
        requests.append(iq)
        if iq.child("query", namespace: PubSubXML.discoInfo) != nil {
            return .success(XMLElement("iq", namespace: Namespace.client, attributes: ["type": "result"]) {
                XMLElement("query", namespace: PubSubXML.discoInfo) {
                    if pep { XMLElement("identity", namespace: PubSubXML.discoInfo, attributes: ["category": "pubsub", "type": "pep"]) }
                    features.sorted().map { XMLElement("feature", namespace: PubSubXML.discoInfo, attributes: ["var": $0]) }
                }
            })
        }
        let action = iq.elements.first?.elements.first?.name ?? ""
        if let error = requestAnswers[action] { return .failure(error) }
        return .success(iq.iqResult())
    }

    var streamManagementActive: Bool { smActive }
    private(set) var ackRequests = 0
    func requestAcknowledgement() { ackRequests += 1 }

    func set(online: Bool? = nil, generation: Int? = nil, smActive: Bool? = nil, features: Set<String>? = nil, pep: Bool? = nil) {
        if let pep { self.pep = pep }
        if let online { self.online = online }
        if let generation { self.generation = generation }
        if let smActive { self.smActive = smActive }
        if let features { self.features = features }
    }

    func answer(requests action: String, with error: RequestError?) {
        requestAnswers[action] = error
    }

    func answer(_ id: String, _ result: Result<XMLElement, RequestError>) {
        pending.removeValue(forKey: id)?(result)
    }

    /// Answers every publish still waiting, with a result.
    func answerAll() {
        for (id, respond) in pending { respond(.success(XMLElement("iq", namespace: Namespace.client, attributes: ["type": "result", "id": id]))) }
        pending.removeAll()
    }

    /// The connection dropped: every waiting publish is answered `.offline`.
    func dropConnection() {
        online = false
        for respond in pending.values { respond(.failure(.offline)) }
        pending.removeAll()
    }

    func clearSent() { sent.removeAll() }
}

extension ScriptedTransport.Sent {
    var publish: XMLElement? {
        iq.child("pubsub", namespace: PubSubXML.namespace)?.child("publish", namespace: PubSubXML.namespace)
    }
    var itemID: String? { publish?.child("item", namespace: PubSubXML.namespace)?.attribute("id") }
    var fields: XMLElement? { publish?.child("item", namespace: PubSubXML.namespace)?.elements.first }
    var delay: Delay? { fields?.child("delay", namespace: Namespace.delay).flatMap(Delay.init) }
    var hasOptions: Bool { iq.child("pubsub", namespace: PubSubXML.namespace)?.child("publish-options", namespace: PubSubXML.namespace) != nil }
}

/// The publisher against a scripted session and a real outbox.
final class PublisherRig: Sendable {
    let transport = ScriptedTransport()
    /// Drives the publisher's hold timer; the store keeps the real clock (it commits at once).
    let clock = ManualClock()
    let store: ReadingStore
    let publisher: Publisher
    private let directory: String
    private let next = Mutex<(sequence: UInt64, time: Int64)>((1, 1_795_000_000_000))

    init(window: Int = 8, retry: Duration = .milliseconds(50), access: NodeConfiguration.AccessModel = .presence) async throws {
        directory = NSTemporaryDirectory() + "kinglet-publisher-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var storeConfiguration = StoreConfiguration(path: directory + "/outbox.db")
        storeConfiguration.synchronous = .off
        storeConfiguration.commitInterval = .zero
        store = try await ReadingStore(configuration: storeConfiguration)
        var configuration = PublishConfiguration(
            target: .pep, nodeConfiguration: NodeConfiguration(accessModel: access), whitelist: [try JID("alice@example.org")],
            nodeID: "dev", account: try JID("sensor@example.org"))
        configuration.window = window
        configuration.readBatches = 3
        configuration.retryInitial = retry
        configuration.retryMax = retry
        publisher = Publisher(configuration: configuration, transport: transport, store: store, clock: clock)
        await publisher.start()
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// Appends `count` batches of three readings.
    func append(_ count: Int) async {
        for _ in 0..<count {
            let (first, time) = next.withLock { value in
                defer { value = (value.sequence + 3, value.time + 50) }
                return value
            }
            let readings = (0..<UInt64(3)).map {
                Reading(sequence: first + $0, name: "s\($0)", value: .numeric(1, decimals: 1), timestamp: Timestamp(millisecondsSinceEpoch: time))
            }
            await store.append(ReadingBatch(readings))
        }
    }

    /// Waits until `count` publishes have been sent; returns them.
    func sent(_ count: Int) async throws -> [ScriptedTransport.Sent] {
        let transport = self.transport
        try #require(await eventually { await transport.sent.count >= count }, "expected \(count) publishes")
        return await transport.sent
    }

    func acknowledgedThrough() async -> UInt64 { await store.stats().acknowledgedThrough }
}

@Suite struct PublisherTests {
    @Test func publishesTheOutboxInOrderAndAcknowledgesItAsAcksArrive() async throws {
        let rig = try await PublisherRig()
        await rig.append(4)
        await rig.publisher.handle(.online(try JID("sensor@example.org/k"), resumed: false))
        let sent = try await rig.sent(4)
        #expect(sent.map(\.itemID) == ["1", "4", "7", "10"])
        #expect(sent.map(\.tag) == [StanzaTag(3), StanzaTag(6), StanzaTag(9), StanzaTag(12)], "tagged with the batch's last sequence")
        #expect(sent.allSatisfy { $0.hasOptions && $0.generation == 1 })
        #expect(sent.allSatisfy { $0.delay?.stamp != nil }, "taken before the agent came online: delayed")
        await rig.transport.answerAll()
        #expect(await rig.acknowledgedThrough() == 0, "a result alone does not settle under XEP-0198")
        await rig.publisher.handle(.acknowledged([StanzaTag(3), StanzaTag(6)]))
        #expect(await eventually { await rig.acknowledgedThrough() == 6 })
        await rig.append(1)
        let live = try await rig.sent(5)
        #expect(live[4].itemID == "13" && live[4].delay == nil, "a batch taken while online is live")
    }

    @Test func keepsAtMostTheWindowInFlight() async throws {
        let rig = try await PublisherRig(window: 3)
        await rig.append(10)
        await rig.publisher.handle(.online(try JID("sensor@example.org/k"), resumed: false))
        _ = try await rig.sent(3)
        #expect(await !rig.publisher.flow.canSend, "the window is full: nothing more goes out")
        #expect(await rig.transport.sent.count == 3)
        #expect(await eventually { await rig.transport.ackRequests >= 1 }, "a full window asks for an ack at once")
        await rig.transport.answerAll()
        await rig.publisher.handle(.acknowledged([StanzaTag(6)]))
        let sent = try await rig.sent(5)
        #expect(sent.map(\.itemID) == ["1", "4", "7", "10", "13"])
    }

    @Test func withoutStreamManagementAReadingLeavesOnItsResult() async throws {
        let rig = try await PublisherRig()
        await rig.transport.set(smActive: false)
        await rig.append(2)
        await rig.publisher.handle(.online(try JID("sensor@example.org/k"), resumed: false))
        _ = try await rig.sent(2)
        await rig.transport.answerAll()
        #expect(await eventually { await rig.acknowledgedThrough() == 6 })
    }

    @Test func aNewStreamSendsAgainWhatWasNotAcknowledged() async throws {
        let rig = try await PublisherRig()
        await rig.append(3)
        let jid = try JID("sensor@example.org/k")
        await rig.publisher.handle(.online(jid, resumed: false))
        _ = try await rig.sent(3)
        await rig.transport.answerAll()
        await rig.publisher.handle(.acknowledged([StanzaTag(3)]))
        await rig.transport.dropConnection()
        await rig.publisher.handle(.unacknowledged([StanzaTag(6), StanzaTag(9)]))
        await rig.publisher.handle(.offline(reason: "cut"))
        await rig.transport.clearSent()
        await rig.transport.set(online: true, generation: 2)
        await rig.publisher.handle(.online(jid, resumed: false))
        let again = try await rig.sent(2)
        #expect(again.map(\.itemID) == ["4", "7"])
        #expect(again.allSatisfy { $0.generation == 2 && $0.delay != nil })
        #expect(await rig.acknowledgedThrough() == 3)
    }

    @Test func aResumedStreamDoesNotSendAgain() async throws {
        let rig = try await PublisherRig()
        await rig.append(2)
        let jid = try JID("sensor@example.org/k")
        await rig.publisher.handle(.online(jid, resumed: false))
        _ = try await rig.sent(2)
        await rig.transport.dropConnection()
        await rig.publisher.handle(.offline(reason: "cut"))
        await rig.transport.set(online: true)
        await rig.publisher.handle(.online(jid, resumed: true))
        // The session resent both; their acks settle them although the answers were lost.
        await rig.publisher.handle(.acknowledged([StanzaTag(3), StanzaTag(6)]))
        #expect(await eventually { await rig.acknowledgedThrough() == 6 })
        #expect(await rig.transport.sent.count == 2)
    }

    @Test func aPublishForAStreamItHasNotSeenIsNotSent() async throws {
        let rig = try await PublisherRig()
        await rig.transport.set(generation: 2)  // the session is already on a newer stream
        await rig.append(2)
        await rig.publisher.handle(.online(try JID("sensor@example.org/k"), resumed: false))
        #expect(await eventually { await rig.transport.refused >= 1 }, "tried, and refused by the session")
        #expect(await rig.transport.sent.isEmpty)
        await rig.publisher.handle(.online(try JID("sensor@example.org/k"), resumed: false))
        #expect(try await rig.sent(2).map(\.itemID) == ["1", "4"])
    }

    @Test func preconditionNotMetReconfiguresTheNodeAndPublishesAgain() async throws {
        let rig = try await PublisherRig()
        await rig.append(1)
        await rig.publisher.handle(.online(try JID("sensor@example.org/k"), resumed: false))
        let first = try await rig.sent(1)
        let error = StanzaError(.conflict, application: XMLElement("precondition-not-met", namespace: PubSubXML.errors))
        await rig.transport.answer(try #require(first[0].iq.id), .failure(.error(error)))
        await rig.publisher.handle(.acknowledged([StanzaTag(3)]))
        let again = try await rig.sent(2)
        #expect(again[1].itemID == "1")
        let configure = await rig.transport.requests.last
        #expect(configure?.child("pubsub", namespace: PubSubXML.owner)?.child("configure", namespace: PubSubXML.owner) != nil)
        #expect(await rig.acknowledgedThrough() == 0, "the refused publish did not settle")
    }

    @Test func aRefusedPublishHoldsTheReadingsAndTriesAgainLater() async throws {
        let rig = try await PublisherRig(retry: .milliseconds(100))
        await rig.append(2)
        await rig.publisher.handle(.online(try JID("sensor@example.org/k"), resumed: false))
        let first = try await rig.sent(2)
        for sent in first { await rig.transport.answer(try #require(sent.iq.id), .failure(.error(StanzaError(.forbidden)))) }
        await rig.publisher.handle(.acknowledged([StanzaTag(6)]))
        #expect(await eventually { await rig.publisher.flow.holding }, "refused: the readings are held")
        #expect(await rig.acknowledgedThrough() == 0)
        #expect(await rig.transport.sent.count == 2, "nothing is sent again during the hold")
        rig.clock.advance(by: .milliseconds(100))
        let probe = try await rig.sent(3)
        #expect(probe[2].itemID == "1" && probe[2].delay != nil, "after a hold, one publish goes first")
        #expect(await rig.transport.sent.count == 3, "the rest wait for its answer")
        await rig.transport.answerAll()
        let again = try await rig.sent(4)
        #expect(again[3].itemID == "4", "answered: the window opens again")
        await rig.transport.answerAll()
        await rig.publisher.handle(.acknowledged([StanzaTag(6)]))
        #expect(await eventually { await rig.acknowledgedThrough() == 6 })
    }

    @Test func withoutPublishOptionsTheNodeIsCreatedFirst() async throws {
        let rig = try await PublisherRig()
        await rig.transport.set(features: [])
        await rig.append(1)
        await rig.publisher.handle(.online(try JID("sensor@example.org/k"), resumed: false))
        let sent = try await rig.sent(1)
        #expect(!sent[0].hasOptions)
        let create = await rig.transport.requests.compactMap { $0.child("pubsub", namespace: PubSubXML.namespace)?.child("create", namespace: PubSubXML.namespace) }
        #expect(create.first?.attribute("node") == "urn:xmpp:iot:sensordata")
    }

    @Test func publishOptionsRefusedAsUnknownAreDroppedForDirectConfiguration() async throws {
        // ejabberd 23.01 advertises publish-options but knows only two of our three fields.
        let rig = try await PublisherRig()
        await rig.append(1)
        let jid = try JID("sensor@example.org/k")
        await rig.publisher.handle(.online(jid, resumed: false))
        let first = try await rig.sent(1)
        #expect(first[0].hasOptions)
        let unknown = StanzaError(.resourceConstraint, text: "Unknown field 'pubsub#max_items' of type 'http://jabber.org/protocol/pubsub#publish-options'")
        await rig.transport.answer(try #require(first[0].iq.id), .failure(.error(unknown)))
        await rig.publisher.handle(.acknowledged([StanzaTag(3)]))
        let again = try await rig.sent(2)
        #expect(again[1].itemID == "1" && !again[1].hasOptions)
        let created = await rig.transport.requests.compactMap { $0.child("pubsub", namespace: PubSubXML.namespace)?.child("create", namespace: PubSubXML.namespace) }
        #expect(created.first?.attribute("node") == "urn:xmpp:iot:sensordata")
        // A new stream asks the service again, but does not go back to options it refused.
        await rig.transport.dropConnection()
        await rig.publisher.handle(.offline(reason: "cut"))
        await rig.transport.clearSent()
        await rig.transport.set(online: true, generation: 2)
        await rig.publisher.handle(.online(jid, resumed: false))
        let later = try await rig.sent(1)
        #expect(!later[0].hasOptions)
    }

    @Test func pepRequestsGoToTheAccountsBareJID() async throws {
        // jabberd2 drops PEP requests that carry no `to` without an answer.
        let rig = try await PublisherRig()
        await rig.transport.set(features: [])
        await rig.append(1)
        await rig.publisher.handle(.online(try JID("sensor@example.org/k"), resumed: false))
        let sent = try await rig.sent(1)
        #expect(sent[0].iq.attribute("to") == "sensor@example.org")
        let requests = await rig.transport.requests
        #expect(requests.count >= 2, "disco#info and create")
        #expect(requests.allSatisfy { $0.attribute("to") == "sensor@example.org" })
    }

    @Test func anAccountWithoutPEPGetsNothingSent() async throws {
        let rig = try await PublisherRig()
        await rig.transport.set(pep: false)
        await rig.append(2)
        let jid = try JID("sensor@example.org/k")
        await rig.publisher.handle(.online(jid, resumed: false))
        #expect(await eventually { await rig.publisher.flow.saidNoPEP })
        #expect(await rig.transport.requests.count == 1, "its disco#info, nothing more")
        #expect(await rig.transport.sent.isEmpty)
        #expect(await !rig.publisher.flow.canSend)
        // A server that gained PEP meanwhile (a new stream) is used.
        await rig.transport.dropConnection()
        await rig.publisher.handle(.offline(reason: "restart"))
        await rig.transport.set(online: true, generation: 2, pep: true)
        await rig.publisher.handle(.online(jid, resumed: false))
        #expect(try await rig.sent(2).map(\.itemID) == ["1", "4"])
    }

    @Test func aWhitelistThatCannotBeShownInForceGetsNothingPublished() async throws {
        // Apache Vysper took access_model = whitelist but could not list affiliations, and let a
        // stranger subscribe: fail closed.
        let rig = try await PublisherRig(retry: .milliseconds(100), access: .whitelist)
        await rig.transport.answer(requests: "affiliations", with: .error(StanzaError(.featureNotImplemented)))
        await rig.append(2)
        await rig.publisher.handle(.online(try JID("sensor@example.org/k"), resumed: false))
        #expect(await eventually { await rig.publisher.flow.holding }, "an error and a hold")
        #expect(await rig.transport.sent.isEmpty, "nothing published")
        let affiliations = await rig.transport.requests.filter { $0.child("pubsub", namespace: PubSubXML.owner)?.child("affiliations", namespace: PubSubXML.owner) != nil }
        #expect(affiliations.count == 1)
        // After the hold the node is set up again; now the whitelist can be read and set.
        await rig.transport.answer(requests: "affiliations", with: nil)
        #expect(await rig.clock.waitForSleepers(1))
        rig.clock.advance(by: .milliseconds(100))
        let sent = try await rig.sent(1)
        #expect(sent[0].itemID == "1")
        let set = await rig.transport.requests.last?.child("pubsub", namespace: PubSubXML.owner)?.child("affiliations", namespace: PubSubXML.owner)
        #expect(set?.elements.map { $0.attribute("jid") } == ["alice@example.org"])
    }

    @Test func aPublishLeftUnansweredIsHeldNotSentAgainAtOnce() async throws {
        let rig = try await PublisherRig(window: 4, retry: .milliseconds(100))
        await rig.transport.set(smActive: false)
        await rig.append(3)
        await rig.publisher.handle(.online(try JID("sensor@example.org/k"), resumed: false))
        let first = try await rig.sent(3)
        for sent in first { await rig.transport.answer(try #require(sent.iq.id), .failure(.timedOut)) }
        #expect(await eventually { await rig.publisher.flow.holding })
        #expect(await rig.transport.sent.count == 3, "nothing is sent again during the hold")
        #expect(await rig.clock.waitForSleepers(1))
        rig.clock.advance(by: .milliseconds(100))
        let probe = try await rig.sent(4)
        #expect(probe[3].itemID == "1")
        await rig.transport.answerAll()
        #expect(try await rig.sent(6).map(\.itemID).suffix(2) == ["4", "7"])
        #expect(await eventually { await rig.acknowledgedThrough() == 3 })
    }

    @Test(arguments: [
        (StanzaError(.resourceConstraint, text: "Unknown field"), true),
        (StanzaError(.badRequest), true),
        (StanzaError(.notAcceptable), true),
        (StanzaError(.featureNotImplemented), true),
        (StanzaError(.notAcceptable, application: XMLElement("payload-too-big", namespace: PubSubXML.errors)), false),
        (StanzaError(.conflict, application: XMLElement("precondition-not-met", namespace: PubSubXML.errors)), false),
        (StanzaError(.forbidden), false),
        (StanzaError(.itemNotFound), false),
        (StanzaError(.internalServerError), false),
    ])
    func whichRefusalsMayBeAboutThePublishOptions(error: StanzaError, expected: Bool) {
        #expect(PublishFailure.mayRefuseTheOptions(error) == expected)
    }
}
