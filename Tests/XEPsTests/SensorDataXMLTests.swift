import Readings
import Support
import Testing
import XMLStream
@testable import XEPs

/// Exact XML of the XEP-0323 shapes, one row per value kind and flag combination.
@Suite struct SensorDataXMLTests {
    static let noon = Timestamp(xsDateTime: "2024-01-01T12:00:00Z")!

    struct FieldCase: Sendable, CustomTestStringConvertible {
        let label: String
        let reading: Reading
        let xml: String
        var testDescription: String { label }
    }

    static let fieldCases: [FieldCase] = [
        FieldCase(
            label: "numeric keeps its decimals and unit",
            reading: Reading(name: "temperature", value: .numeric(23.4, decimals: 2), unit: "°C", timestamp: noon),
            xml: "<numeric xmlns='urn:xmpp:iot:sensordata' name='temperature' momentary='true' automaticReadout='true' value='23.40' unit='°C'/>"),
        FieldCase(
            label: "unitless numeric still has unit",
            reading: Reading(name: "ratio", value: .numeric(0.5, decimals: nil), timestamp: noon),
            xml: "<numeric xmlns='urn:xmpp:iot:sensordata' name='ratio' momentary='true' automaticReadout='true' value='0.5' unit=''/>"),
        FieldCase(
            label: "int, writable control",
            reading: Reading(name: "dimmer", value: .int(40), unit: "%", fieldType: .status, timestamp: noon, writable: true),
            xml: "<int xmlns='urn:xmpp:iot:sensordata' name='dimmer' status='true' automaticReadout='true' writable='true' value='40'/>"),
        FieldCase(
            label: "long",
            reading: Reading(name: "bytes", value: .long(5_000_000_000), fieldType: .computed, timestamp: noon),
            xml: "<long xmlns='urn:xmpp:iot:sensordata' name='bytes' computed='true' automaticReadout='true' value='5000000000'/>"),
        FieldCase(
            label: "boolean",
            reading: Reading(name: "relay", value: .boolean(true), timestamp: noon, writable: true),
            xml: "<boolean xmlns='urn:xmpp:iot:sensordata' name='relay' momentary='true' automaticReadout='true' writable='true' value='true'/>"),
        FieldCase(
            label: "string identity",
            reading: Reading(name: "serial", value: .string("A&B"), fieldType: .identity, timestamp: noon),
            xml: "<string xmlns='urn:xmpp:iot:sensordata' name='serial' identity='true' automaticReadout='true' value='A&amp;B'/>"),
        FieldCase(
            label: "enum carries dataType",
            reading: Reading(name: "mode", value: .enumeration("auto", dataType: "mode"), fieldType: .status, timestamp: noon),
            xml: "<enum xmlns='urn:xmpp:iot:sensordata' name='mode' status='true' automaticReadout='true' value='auto' dataType='mode'/>"),
        FieldCase(
            label: "dateTime in UTC",
            reading: Reading(name: "boot", value: .dateTime(Timestamp(secondsSinceEpoch: 0)), fieldType: .status, timestamp: noon),
            xml: "<dateTime xmlns='urn:xmpp:iot:sensordata' name='boot' status='true' automaticReadout='true' value='1970-01-01T00:00:00Z'/>"),
        FieldCase(
            label: "duration",
            reading: Reading(name: "uptime", value: .duration("PT30S"), fieldType: .peak, timestamp: noon),
            xml: "<duration xmlns='urn:xmpp:iot:sensordata' name='uptime' peak='true' automaticReadout='true' value='PT30S'/>"),
        FieldCase(
            label: "several QoS flags in the spec's order",
            reading: Reading(name: "t", value: .int(1), qos: [.error, .automaticEstimate, .warning], timestamp: noon),
            xml: "<int xmlns='urn:xmpp:iot:sensordata' name='t' momentary='true' automaticEstimate='true' warning='true' error='true' value='1'/>"),
    ]

    @Test(arguments: fieldCases) func field(_ row: FieldCase) throws {
        let element = try #require(SensorDataXML.field(row.reading))
        #expect(element.serialized() == row.xml)
    }

    @Test(arguments: fieldCases) func fieldReadsBack(_ row: FieldCase) throws {
        let element = try XMLElement(parsing: row.xml)
        let parsed = try #require(SensorDataXML.parseField(element, at: Self.noon))
        #expect(SensorDataXML.field(parsed)?.serialized() == row.xml)
        #expect(parsed.value == row.reading.value || row.reading.value?.valueType == .numeric)
        #expect(parsed.writable == row.reading.writable)
        #expect(parsed.fieldType == row.reading.fieldType)
        #expect(parsed.qos == row.reading.qos)
    }

    @Test func valuelessReadingIsNotAField() {
        let failed = Reading.failure(name: "temperature", unit: "°C", reason: "sensor unplugged", at: Self.noon)
        #expect(SensorDataXML.field(failed) == nil)
    }

    @Test func fieldsGroupsByTimestampInOrder() {
        let later = Self.noon.adding(milliseconds: 1500)
        let readings = [
            Reading(name: "a", value: .int(1), timestamp: Self.noon),
            Reading(name: "b", value: .int(2), timestamp: later),
            Reading.failure(name: "c", reason: "gone", at: later),
            Reading(name: "d", value: .int(3), timestamp: Self.noon),
        ]
        let xml = SensorDataXML.fields(readings, nodeID: "sim", seqnr: "7", done: true).serialized()
        #expect(xml == """
            <fields xmlns='urn:xmpp:iot:sensordata' seqnr='7' done='true'><node nodeId='sim'>\
            <timestamp value='2024-01-01T12:00:00Z'>\
            <int name='a' momentary='true' automaticReadout='true' value='1'/>\
            <int name='d' momentary='true' automaticReadout='true' value='3'/></timestamp>\
            <timestamp value='2024-01-01T12:00:01.500Z'>\
            <int name='b' momentary='true' automaticReadout='true' value='2'/></timestamp></node></fields>
            """)
    }

    @Test func fieldsWithoutSeqnrOrDoneForPubSub() {
        let xml = SensorDataXML.fields([], nodeID: "sim", seqnr: nil, done: false).serialized()
        #expect(xml == "<fields xmlns='urn:xmpp:iot:sensordata'><node nodeId='sim'/></fields>")
    }

    @Test func historicalFieldsAreMarkedHistoricalOther() {
        let reading = Reading(name: "t", value: .int(1), timestamp: Self.noon)
        let xml = SensorDataXML.fields([reading], nodeID: "n", seqnr: "1", done: false, historical: true).serialized()
        #expect(xml.contains("<int name='t' historicalOther='true' automaticReadout='true' value='1'/>"))
    }

    @Test func failureListsValuelessReadings() throws {
        let readings = [
            Reading(name: "a", value: .int(1), timestamp: Self.noon),
            Reading.failure(name: "temperature", reason: "read failed: ENOENT", at: Self.noon),
        ]
        let failure = try #require(SensorDataXML.failure(readings, nodeID: "sim", seqnr: "3", done: true))
        #expect(failure.serialized() == """
            <failure xmlns='urn:xmpp:iot:sensordata' seqnr='3' done='true'>\
            <error nodeId='sim' timestamp='2024-01-01T12:00:00Z'>temperature: read failed: ENOENT</error></failure>
            """)
        #expect(SensorDataXML.failure([readings[0]], nodeID: "sim", seqnr: "3", done: true) == nil)
    }

    @Test func parsesFieldsBack() throws {
        let readings = Self.fieldCases.map(\.reading)
        let element = try XMLElement(parsing: SensorDataXML.fields(readings, nodeID: "sim", seqnr: "9", done: true).serialized())
        let parsed = try #require(SensorDataXML.parseFields(element))
        #expect(parsed.seqnr == "9")
        #expect(parsed.done)
        #expect(parsed.nodes.map(\.nodeID) == ["sim"])
        #expect(parsed.readings.map(\.name) == readings.map(\.name))
        #expect(parsed.readings.map { $0.value?.text } == readings.map { $0.value?.text })
        // Only numeric fields carry a unit in XEP-0323's schema.
        #expect(parsed.readings.map(\.unit) == readings.map { $0.value?.valueType == .numeric ? $0.unit : "" })
    }

    @Test func parsingSkipsUnknownAndReadsTimeSpan() throws {
        let element = try XMLElement(parsing: """
            <fields xmlns='urn:xmpp:iot:sensordata' seqnr='1'><node nodeId='n'><timestamp value='2024-01-01T12:00:00Z'>\
            <timeSpan name='up' value='PT1S'/><color name='c' value='FF0000'/><int name='bad' value='x'/>\
            </timestamp></node></fields>
            """)
        let parsed = try #require(SensorDataXML.parseFields(element))
        #expect(parsed.readings.map(\.name) == ["up"])
        #expect(parsed.readings.first?.value == .duration("PT1S"))
        #expect(parsed.done == false)
        #expect(SensorDataXML.parseFields(try XMLElement(parsing: "<fields xmlns='urn:other'/>")) == nil)
    }
}
