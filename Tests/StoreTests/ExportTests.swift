import Readings
import Foundation
@testable import Store
import Support
import Testing

@Suite("CSV and JSONL export")
struct ExportTests {
    static let time = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)

    static let awkward = [
        ExportRecord(
            reading: Reading(
                sequence: 7, name: "temp, \"outdoor\"", value: .numeric(23.45, decimals: 2), unit: "°C",
                timestamp: Timestamp(millisecondsSinceEpoch: 1_700_000_000_250)),
            batch: 5, acknowledged: false),
        ExportRecord(
            reading: Reading(
                sequence: 8, name: "line1\nline2\r\tend\u{1}\u{7F}", value: .string("back\\slash \u{2028} ☃ 🌡"),
                fieldType: .status, qos: [], timestamp: time),
            batch: 5, acknowledged: true),
        ExportRecord(
            reading: .failure(name: "t", reason: "timeout, \"i2c\"", at: time).withSequence(9),
            batch: 9, acknowledged: false),
    ]

    @Test("CSV: header, RFC 4180 quoting of commas, quotes, newlines and control characters; unicode as is")
    func csvExact() {
        var output = ExportFormat.csv.header ?? ""
        for record in Self.awkward { output += ExportFormat.csv.line(record) }
        let expected =
            "sequence,batch,state,timestamp,name,type,value,decimals,data_type,unit,field_type,qos,error\n"
            + "7,5,pending,2023-11-14T22:13:20.250Z,\"temp, \"\"outdoor\"\"\",numeric,23.45,2,,°C,momentary,automaticReadout,\n"
            + "8,5,acknowledged,2023-11-14T22:13:20Z,\"line1\nline2\r\tend\u{1}\u{7F}\",string,back\\slash \u{2028} ☃ 🌡,,,,status,,\n"
            + "9,9,pending,2023-11-14T22:13:20Z,t,,,,,,momentary,error,\"timeout, \"\"i2c\"\"\"\n"
        #expect(output == expected)
    }

    @Test("JSONL: one object per line, strings escaped per RFC 8259, and every line parses back")
    func jsonlExact() throws {
        let lines = Self.awkward.map(ExportFormat.jsonl.line)
        #expect(ExportFormat.jsonl.header == nil)
        #expect(lines == [
            #"{"sequence":7,"batch":5,"state":"pending","timestamp":"2023-11-14T22:13:20.250Z","name":"temp, \"outdoor\"","type":"numeric","value":23.45,"decimals":2,"unit":"°C","fieldType":"momentary","qos":["automaticReadout"],"error":null}"# + "\n",
            #"{"sequence":8,"batch":5,"state":"acknowledged","timestamp":"2023-11-14T22:13:20Z","name":"line1\nline2\r\tend\u0001"# + "\u{7F}" + #"","type":"string","value":"back\\slash \u2028 ☃ 🌡","unit":"","fieldType":"status","qos":[],"error":null}"# + "\n",
            #"{"sequence":9,"batch":9,"state":"pending","timestamp":"2023-11-14T22:13:20Z","name":"t","type":null,"value":null,"unit":"","fieldType":"momentary","qos":["error"],"error":"timeout, \"i2c\""}"# + "\n",
        ])
        for (line, record) in zip(lines, Self.awkward) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["name"] as? String == record.reading.name)
        }
    }

    @Test("each value kind exports as text in CSV and as the right JSON type", arguments: [
        (FieldValue.int(-5), "int,-5,,", #""type":"int","value":-5,"#),
        (.long(9_007_199_254_740_993), "long,9007199254740993,,", #""type":"long","value":9007199254740993,"#),
        (.boolean(false), "boolean,false,,", #""type":"boolean","value":false,"#),
        (.dateTime(Timestamp(millisecondsSinceEpoch: 0)), "dateTime,1970-01-01T00:00:00Z,,", #""type":"dateTime","value":"1970-01-01T00:00:00Z","#),
        (.duration("PT1S"), "duration,PT1S,,", #""type":"duration","value":"PT1S","#),
        (.enumeration("on", dataType: "state"), "enum,on,,state", #""type":"enum","value":"on","dataType":"state","#),
        (.numeric(.nan, decimals: nil), "numeric,nan,,", #""type":"numeric","value":"NaN","#),
        (.numeric(-.infinity, decimals: 0), "numeric,-inf,0,", #""type":"numeric","value":"-Infinity","decimals":0,"#),
        (.numeric(1e-7, decimals: nil), "numeric,1e-07,,", #""type":"numeric","value":1e-07,"#),
    ])
    func valueKinds(value: FieldValue, csv: String, json: String) throws {
        let record = ExportRecord(reading: Reading(sequence: 1, name: "v", value: value, timestamp: Self.time), batch: 1, acknowledged: false)
        #expect(ExportFormat.csv.line(record).contains(",v," + csv + ","))
        let line = ExportFormat.jsonl.line(record)
        #expect(line.contains(#""name":"v","# + json))
        _ = try JSONSerialization.jsonObject(with: Data(line.utf8))
    }

    @Test("the reader exports from a live store's file: everything, or only what is pending")
    func readerExportsWhileOpen() async throws {
        let directory = TemporaryDirectory()
        let store = try await ReadingStore(configuration: testConfiguration(directory) { $0.historyMaxReadings = 100 })
        var sampler = Sampler(after: 0)
        for _ in 0..<3 { await store.append(sampler.batch(2)) }
        await store.acknowledge(throughSequence: 2)
        do {
            let reader = try StoreReader(path: directory.database)
            var records: [ExportRecord] = []
            try reader.forEachRecord(pendingOnly: false) { records.append($0) }
            #expect(records.map(\.reading.sequence) == [1, 2, 3, 4, 5, 6])
            #expect(records.map(\.acknowledged) == [true, true, false, false, false, false])
            #expect(records.map(\.batch) == [1, 1, 3, 3, 5, 5])
            var pending: [UInt64] = []
            try reader.forEachRecord(pendingOnly: true) { pending.append($0.reading.sequence) }
            #expect(pending == [3, 4, 5, 6])
            let stats = try reader.stats()
            #expect(stats.historyReadings == 2)
            #expect(stats.oldestPending?.sequence == 3)
            #expect(stats.newestPending?.sequence == 6)
            #expect(stats.fileBytes > 0)
        }

        // It keeps working after the agent has closed the file (no -wal, no -shm left).
        await store.close()
        #expect(!directory.files().contains("outbox.db-wal"))
        #expect(try StoreReader(path: directory.database).stats().pendingReadings == 4)
    }

    @Test("the reader explains a missing file")
    func readerMissingFile() {
        let error = #expect(throws: StoreError.self) { _ = try StoreReader(path: "/nonexistent/outbox.db") }
        #expect(error?.description == "open /nonexistent/outbox.db: no such file")
    }
}

extension Reading {
    func withSequence(_ sequence: UInt64) -> Reading {
        var copy = self
        copy.sequence = sequence
        return copy
    }
}
