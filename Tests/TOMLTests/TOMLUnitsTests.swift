import Testing
import TOML

private func table(_ value: String) throws -> TOMLTable {
    try TOMLDocument.parse("[device]\n\nv = \(value)", file: "p.toml").root.requireTable("device")
}

@Test(arguments: [
    ("\"250ms\"", Duration.milliseconds(250)),
    ("\"30s\"", .seconds(30)),
    ("\"5m\"", .seconds(300)),
    ("\"2h\"", .seconds(7200)),
    ("\"7d\"", .seconds(604_800)),
    ("\"1.5s\"", .milliseconds(1500)),
    ("\"0.5ms\"", .microseconds(500)),
    ("\"10 s\"", .seconds(10)),
    ("\"0s\"", .zero),
    ("30", .seconds(30)),
    ("0", .zero),
    ("0.25", .milliseconds(250)),
    ("1e3", .seconds(1000)),
])
func parsesDurations(_ text: String, _ expected: Duration) throws {
    #expect(try table(text).duration("v") == expected)
}

@Test(arguments: ["\"5\"", "\"5 minutes\"", "\"-5s\"", "\"5S\"", "\"s\"", "\"1.s\"", "\"\"", "\"5s \"", "-1", "-0.5", "nan", "true",
    "[1]", "1979-05-27"])
func rejectsDurations(_ text: String) throws {
    let error = #expect(throws: TOMLError.self) { try table(text).duration("v") }
    #expect(error?.line == 3)
    #expect(error?.message.hasPrefix("key 'v' in [device] must be a duration such as \"250ms\", \"30s\", \"5m\"") == true)
    #expect(error?.message.contains("or a number of seconds; found ") == true)
}

@Test(arguments: ["\"9999999999999999999d\"", "\"999999999999999d\"", "9223372036854775807", "inf", "1e300"])
func rejectsHugeDurations(_ text: String) throws {
    let error = #expect(throws: TOMLError.self) { try table(text).duration("v") }
    #expect(error?.description == "p.toml:3: key 'v' in [device] is too large")
}

@Test func durationErrorShowsWhatWasFound() throws {
    let error = #expect(throws: TOMLError.self) { try table("\"soon\"").duration("v") }
    #expect(error?.message.hasSuffix("; found \"soon\"") == true)
    let boolError = #expect(throws: TOMLError.self) { try table("true").duration("v") }
    #expect(boolError?.message.hasSuffix("; found a boolean") == true)
}

@Test(arguments: [
    ("\"64MiB\"", Int64(64 << 20)),
    ("\"500kB\"", 500_000),
    ("\"1GB\"", 1_000_000_000),
    ("\"2TB\"", 2_000_000_000_000),
    ("\"1 KiB\"", 1024),
    ("\"1.5KiB\"", 1536),
    ("\"3GiB\"", 3 << 30),
    ("\"1TiB\"", 1 << 40),
    ("\"12B\"", 12),
    ("\"0B\"", 0),
    ("4096", 4096),
    ("0", 0),
])
func parsesByteSizes(_ text: String, _ expected: Int64) throws {
    #expect(try table(text).byteSize("v") == expected)
}

@Test(arguments: ["\"64mb\"", "\"64\"", "\"64 MiBs\"", "\"KiB\"", "\"-1B\"", "\"1.KiB\"", "-1", "1.5", "true", "\"64Mib\""])
func rejectsByteSizes(_ text: String) throws {
    let error = #expect(throws: TOMLError.self) { try table(text).byteSize("v") }
    #expect(error?.line == 3)
    #expect(error?.message.hasPrefix("key 'v' in [device] must be a size such as \"500kB\", \"64MiB\" or \"1GB\" (units B, kB,") == true)
    #expect(error?.message.contains("or a number of bytes; found ") == true)
}

@Test(arguments: ["\"99999999999TiB\"", "\"9999999999999999999B\"", "\"9000000.5TiB\""])
func rejectsHugeByteSizes(_ text: String) throws {
    let error = #expect(throws: TOMLError.self) { try table(text).byteSize("v") }
    #expect(error?.description == "p.toml:3: key 'v' in [device] is too large")
}
