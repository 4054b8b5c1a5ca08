import Readings
import Support
import Testing
import XMLStream
import XMPPCore
@testable import XEPs

/// Stanza shapes of the publisher, as exact XML.
@Suite struct PubSubXMLTests {
    static let service = try! JID("pubsub.example.org")
    static let options = NodeConfiguration(persistItems: true, maxItems: 10, accessModel: .whitelist)
    static let form = "<x xmlns='jabber:x:data' type='submit'>"
        + "<field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#node_config</value></field>"
        + "<field var='pubsub#persist_items'><value>true</value></field>"
        + "<field var='pubsub#max_items'><value>10</value></field>"
        + "<field var='pubsub#access_model'><value>whitelist</value></field></x>"

    @Test(arguments: [
        (
            "PEP publish with publish-options",
            PubSubXML.publish(node: "urn:xmpp:iot:sensordata", itemID: "7", payload: XMLElement("p", namespace: "urn:x"), service: nil, options: options),
            "<iq type='set'><pubsub xmlns='http://jabber.org/protocol/pubsub'><publish node='urn:xmpp:iot:sensordata'>"
                + "<item id='7'><p xmlns='urn:x'/></item></publish><publish-options>"
                + form.replacingOccurrences(of: "pubsub#node_config", with: "pubsub#publish-options")
                + "</publish-options></pubsub></iq>"
        ),
        (
            "publish to a service, without options",
            PubSubXML.publish(node: "n", itemID: "8", payload: XMLElement("p", namespace: "urn:x"), service: service, options: nil),
            "<iq type='set' to='pubsub.example.org'><pubsub xmlns='http://jabber.org/protocol/pubsub'><publish node='n'>"
                + "<item id='8'><p xmlns='urn:x'/></item></publish></pubsub></iq>"
        ),
        (
            "create and configure",
            PubSubXML.create(node: "n", service: service, configuration: options),
            "<iq type='set' to='pubsub.example.org'><pubsub xmlns='http://jabber.org/protocol/pubsub'><create node='n'/>"
                + "<configure>" + form + "</configure></pubsub></iq>"
        ),
        (
            "owner configure",
            PubSubXML.configure(node: "n", service: nil, configuration: options),
            "<iq type='set'><pubsub xmlns='http://jabber.org/protocol/pubsub#owner'><configure node='n'>" + form + "</configure></pubsub></iq>"
        ),
        (
            "affiliations query",
            PubSubXML.affiliations(node: "n", service: service),
            "<iq type='get' to='pubsub.example.org'><pubsub xmlns='http://jabber.org/protocol/pubsub#owner'><affiliations node='n'/></pubsub></iq>"
        ),
        (
            "whitelist changes",
            PubSubXML.setAffiliations(node: "n", service: nil, [("alice@example.org", "member"), ("eve@example.org", "none")]),
            "<iq type='set'><pubsub xmlns='http://jabber.org/protocol/pubsub#owner'><affiliations node='n'>"
                + "<affiliation jid='alice@example.org' affiliation='member'/><affiliation jid='eve@example.org' affiliation='none'/>"
                + "</affiliations></pubsub></iq>"
        ),
        (
            "disco#info of the PEP service",
            PubSubXML.discoInfoQuery(service: try! JID("sensor@example.org")),
            "<iq type='get' to='sensor@example.org'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>"
        ),
    ])
    func shape(_ name: String, _ stanza: XMLElement, _ expected: String) {
        #expect(stanza.serialized(inheritedNamespace: Namespace.client) == expected, "\(name)")
    }

    @Test func readsFeaturesAffiliationsAndPublishedIDs() throws {
        let info = try XMLElement(parsing: """
            <iq type='result'><query xmlns='http://jabber.org/protocol/disco#info'><identity category='pubsub' type='pep'/>\
            <feature var='http://jabber.org/protocol/pubsub#publish-options'/><feature var='http://jabber.org/protocol/pubsub'/></query></iq>
            """)
        #expect(PubSubXML.features(in: info) == ["http://jabber.org/protocol/pubsub#publish-options", "http://jabber.org/protocol/pubsub"])
        let affiliations = try XMLElement(parsing: """
            <iq type='result'><pubsub xmlns='http://jabber.org/protocol/pubsub#owner'><affiliations node='n'>\
            <affiliation jid='sensor@example.org' affiliation='owner'/><affiliation jid='alice@example.org' affiliation='member'/>\
            </affiliations></pubsub></iq>
            """)
        #expect(PubSubXML.affiliations(in: affiliations).map { "\($0.jid)=\($0.affiliation)" } == ["sensor@example.org=owner", "alice@example.org=member"])
        let published = try XMLElement(parsing: """
            <iq type='result'><pubsub xmlns='http://jabber.org/protocol/pubsub'><publish node='n'><item id='42'/></publish></pubsub></iq>
            """)
        #expect(PubSubXML.publishedItemIDs(in: published) == ["42"])
        #expect(PubSubXML.features(in: try XMLElement(parsing: "<iq type='result'/>")).isEmpty)
    }

    @Test(arguments: [
        ("<error type='cancel'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
            + "<precondition-not-met xmlns='http://jabber.org/protocol/pubsub#errors'/></error>", PublishFailure.preconditionNotMet),
        ("<error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>", .nodeMissing),
        ("<error type='wait'><resource-constraint xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>", .temporary),
        ("<error type='cancel'><internal-server-error xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>", .temporary),
        ("<error type='auth'><forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>", .refused),
        ("<error type='modify'><not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
            + "<payload-too-big xmlns='http://jabber.org/protocol/pubsub#errors'/></error>", .refused),
        ("<error type='cancel'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>", .refused),
    ])
    func classifiesPublishErrors(_ error: String, _ expected: PublishFailure) throws {
        let reply = try XMLElement(parsing: "<iq type='error' id='p1'>\(error)</iq>")
        #expect(PublishFailure(try #require(StanzaError(stanza: reply))) == expected)
    }

    @Test func defaultNodes() throws {
        let account = try JID("sensor-7@example.org/kinglet")
        #expect(PublishConfiguration.defaultNode(target: .pep, account: account) == "urn:xmpp:iot:sensordata")
        #expect(PublishConfiguration.defaultNode(target: .service(Self.service), account: account) == "urn:xmpp:iot:sensordata/sensor-7@example.org")
    }
}

/// The item payload: XEP-0323 fields with the batch range and, when delayed, XEP-0203 delay.
@Suite struct ReadingPayloadTests {
    static let time = Timestamp(millisecondsSinceEpoch: 1_795_000_000_050)
    static let batch = ReadingBatch([
        Reading(sequence: 41, name: "temperature", value: .numeric(21.5, decimals: 2), unit: "°C", timestamp: time),
        Reading.failure(name: "soil", unit: "%", reason: "no such file", at: time).numbered(42),
        Reading(sequence: 43, name: "relay", value: .boolean(true), fieldType: .status, timestamp: time, writable: true),
    ])

    @Test func liveItem() {
        let fields = ReadingPayload.fields(Self.batch, nodeID: "dev", delay: nil)
        #expect(ReadingPayload.itemID(Self.batch) == "41")
        #expect(fields.serialized() == "<fields xmlns='urn:xmpp:iot:sensordata' seqnr='41' done='true'>"
            + "<batch xmlns='urn:kinglet:outbox:0' first='41' last='43'/>"
            + "<node nodeId='dev'><timestamp value='2026-11-18T11:06:40.050Z'>"
            + "<numeric name='temperature' momentary='true' automaticReadout='true' value='21.50' unit='°C'/>"
            + "<boolean name='relay' status='true' automaticReadout='true' writable='true' value='true'/>"
            + "</timestamp></node></fields>")
    }

    @Test func delayedItemCarriesTheReadingTime() throws {
        let delay = Delay(stamp: Self.time, from: try JID("sensor@example.org"))
        let fields = ReadingPayload.fields(Self.batch, nodeID: "dev", delay: delay)
        let first = try #require(fields.elements.first)
        #expect(first.serialized() == "<delay xmlns='urn:xmpp:delay' stamp='2026-11-18T11:06:40.050Z' from='sensor@example.org'/>")
        #expect(Delay(first) == delay)
        #expect(SensorDataXML.parseFields(fields)?.readings.map(\.name) == ["temperature", "relay"])
    }

    @Test func delayParsing() throws {
        #expect(Delay(try XMLElement(parsing: "<delay xmlns='urn:xmpp:delay' stamp='2002-09-10T23:08:25Z'>Offline</delay>"))
            == Delay(stamp: Timestamp(secondsSinceEpoch: 1_031_699_305), reason: "Offline"))
        #expect(Delay(try XMLElement(parsing: "<delay xmlns='urn:xmpp:delay' stamp='yesterday'/>")) == nil)
        #expect(Delay(try XMLElement(parsing: "<x xmlns='jabber:x:delay' stamp='20020910T23:08:25'/>")) == nil)
    }
}

extension Reading {
    func numbered(_ sequence: UInt64) -> Reading {
        var reading = self
        reading.sequence = sequence
        return reading
    }
}
