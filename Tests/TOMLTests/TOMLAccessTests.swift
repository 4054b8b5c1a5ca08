import Testing
import TOML

private let config = """
    title = "Kinglet"

    [xmpp]
    jid = "sensor-7@example.org"
    port = 5222
    timeout = 2.5
    retries = 3
    tls = true
    operators = ["alice@example.org", "bob@example.org"]
    mixed = ["alice@example.org", 7]

    [sensors.cpu]
    tmperature = 1

    [[outputs]]
    pin = 17
    [[outputs]]
    pin = 18
    """

private func root() throws -> TOMLTable {
    try TOMLDocument.parse(config, file: "agent.toml").root
}

@Test func typedAccessorsReturnValues() throws {
    let xmpp = try #require(try root().table("xmpp"))
    #expect(try xmpp.string("jid") == "sensor-7@example.org")
    #expect(try xmpp.integer("port") == 5222)
    #expect(try xmpp.double("timeout") == 2.5)
    #expect(try xmpp.double("retries") == 3.0)  // integers serve as doubles
    #expect(try xmpp.bool("tls") == true)
    #expect(try xmpp.stringArray("operators") == ["alice@example.org", "bob@example.org"])
    #expect(try root().tableArray("outputs")?.map { try $0.requireInteger("pin") } == [17, 18])
    #expect(try xmpp.requireString("jid") == "sensor-7@example.org")
    #expect(try xmpp.requireDouble("timeout") == 2.5)
    #expect(try xmpp.requireBool("tls"))
    #expect(try root().requireTable("sensors").requireTable("cpu").path == "sensors.cpu")
}

@Test func typedAccessorsReturnNilForAbsentKeys() throws {
    let xmpp = try #require(try root().table("xmpp"))
    #expect(try xmpp.string("host") == nil)
    #expect(try xmpp.integer("host") == nil)
    #expect(try xmpp.double("host") == nil)
    #expect(try xmpp.bool("host") == nil)
    #expect(try xmpp.table("host") == nil)
    #expect(try xmpp.stringArray("host") == nil)
    #expect(try xmpp.tableArray("host") == nil)
    #expect(try xmpp.duration("host") == nil)
    #expect(try xmpp.byteSize("host") == nil)
}

@Test func inlineTableArraysServeAsTableArrays() throws {
    let root = try TOMLDocument.parse("outputs = [{ pin = 17 }, { pin = 18 }]", file: "p.toml").root
    let outputs = try #require(try root.tableArray("outputs"))
    #expect(outputs.map(\.displayName) == ["[[outputs]]", "[[outputs]]"])
    #expect(try root.tableArray("outputs") == (try TOMLDocument.parse("[[outputs]]\npin = 17\n[[outputs]]\npin = 18", file: "q").root.tableArray("outputs")))
}

/// A typed access that must fail, with the description it must fail with.
struct AccessFailure: Sendable, CustomTestStringConvertible {
    let name: String
    let expected: String
    let access: @Sendable (TOMLTable) throws -> Void
    var testDescription: String { name }
}

let accessFailures: [AccessFailure] = [
    AccessFailure(name: "string", expected: "agent.toml:5: key 'port' in [xmpp] must be a string, not an integer") {
        _ = try $0.requireTable("xmpp").string("port")
    },
    AccessFailure(name: "integer", expected: "agent.toml:4: key 'jid' in [xmpp] must be an integer, not a string") {
        _ = try $0.requireTable("xmpp").integer("jid")
    },
    AccessFailure(name: "double", expected: "agent.toml:8: key 'tls' in [xmpp] must be a number, not a boolean") {
        _ = try $0.requireTable("xmpp").double("tls")
    },
    AccessFailure(name: "bool", expected: "agent.toml:7: key 'retries' in [xmpp] must be a boolean (true or false), not an integer") {
        _ = try $0.requireTable("xmpp").bool("retries")
    },
    AccessFailure(name: "table", expected: "agent.toml:1: key 'title' must be a table, not a string") {
        _ = try $0.table("title")
    },
    AccessFailure(name: "stringArray element",
        expected: "agent.toml:10: key 'mixed' in [xmpp] must be an array of strings, but element 2 is an integer") {
        _ = try $0.requireTable("xmpp").stringArray("mixed")
    },
    AccessFailure(name: "stringArray type", expected: "agent.toml:4: key 'jid' in [xmpp] must be an array of strings, not a string") {
        _ = try $0.requireTable("xmpp").stringArray("jid")
    },
    AccessFailure(name: "tableArray", expected: "agent.toml:9: key 'operators' in [xmpp] must be an array of tables, but element 1 is a string") {
        _ = try $0.requireTable("xmpp").tableArray("operators")
    },
    AccessFailure(name: "requireString missing", expected: "agent.toml:3: missing key 'password' in [xmpp]") {
        _ = try $0.requireTable("xmpp").requireString("password")
    },
    AccessFailure(name: "requireInteger missing", expected: "agent.toml:15: missing key 'mode' in [[outputs]]") {
        _ = try $0.requireTableArray("outputs")[0].requireInteger("mode")
    },
    AccessFailure(name: "requireTable missing at top level", expected: "agent.toml:1: missing key 'device'") {
        _ = try $0.requireTable("device")
    },
    AccessFailure(name: "requireStringArray missing", expected: "agent.toml:3: missing key 'viewers' in [xmpp]") {
        _ = try $0.requireTable("xmpp").requireStringArray("viewers")
    },
    AccessFailure(name: "unknown key with suggestion",
        expected: "agent.toml:13: unknown key 'tmperature' in [sensors.cpu] (did you mean 'temperature'?)") {
        try $0.requireTable("sensors").requireTable("cpu").rejectUnknownKeys(allowed: ["temperature", "interval"])
    },
    AccessFailure(name: "unknown key, first in document order",
        expected: "agent.toml:6: unknown key 'timeout' in [xmpp] (did you mean 'timeouts'?)") {
        try $0.requireTable("xmpp").rejectUnknownKeys(allowed: ["jid", "port", "timeouts"])
    },
    AccessFailure(name: "unknown key without suggestion", expected: "agent.toml:1: unknown key 'title'") {
        try $0.rejectUnknownKeys(allowed: ["xmpp", "sensors", "outputs", "device"])
    },
]

@Test(arguments: accessFailures)
func typedAccessFails(_ failure: AccessFailure) throws {
    let table = try root()
    let error = #expect(throws: TOMLError.self) { try failure.access(table) }
    #expect(error?.description == failure.expected)
}

@Test func rejectUnknownKeysAcceptsKnownKeys() throws {
    #expect(throws: Never.self) {
        try root().requireTable("xmpp")
            .rejectUnknownKeys(allowed: ["jid", "port", "timeout", "retries", "tls", "operators", "mixed", "extra"])
    }
}

@Test(arguments: [
    ("prot", ["port", "host"], "port"),  // a transposition is one edit
    ("hots", ["port", "host"], "host"),
    ("passwrd", ["password", "password_file"], "password"),
    ("intervall", ["interval", "min_interval"], "interval"),
    ("xyz", ["port", "host"], nil),
    ("p", ["port"], nil),
    ("pt", ["port"], nil),  // two edits are too many for a two-letter key
    ("jd", ["jid"], "jid"),
] as [(String, [String], String?)])
func suggestsNearestKey(_ typo: String, _ allowed: [String], _ suggestion: String?) throws {
    let table = try TOMLDocument.parse("\(typo) = 1", file: "t.toml").root
    let error = #expect(throws: TOMLError.self) { try table.rejectUnknownKeys(allowed: Set(allowed)) }
    if let suggestion {
        #expect(error?.message == "unknown key '\(typo)' (did you mean '\(suggestion)'?)")
    } else {
        #expect(error?.message == "unknown key '\(typo)'")
    }
}

@Test func callerErrorsPointAtTheKeyOrTheTable() throws {
    let xmpp = try root().requireTable("xmpp")
    #expect(xmpp.error("port must be between 1 and 65535", at: "port").description
        == "agent.toml:5: port must be between 1 and 65535")
    #expect(xmpp.error("needs a password", at: "password").line == 3)
    #expect(xmpp.error("bad section", at: nil).line == 3)
    #expect(xmpp.describe("port") == "'port' in [xmpp]")
}

@Test func valueTypeNames() {
    let values: [TOMLValue] = [
        .string(""), .integer(0), .float(0), .boolean(true), .dateTime("07:32:00"), .array([]),
        .table(TOMLTable(file: "", line: 0, path: "")),
    ]
    #expect(values.map(\.typeName) == ["string", "integer", "float", "boolean", "date-time", "array", "table"])
}
