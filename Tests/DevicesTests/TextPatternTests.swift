import Testing

@testable import Devices

@Suite struct TextPatternTests {
    @Test(arguments: [
        (#"t=(-?\d+)"#, "crc=57 YES\n72 01 t=23125\n", "23125" as String?),
        (#"t=(-?\d+)"#, "t=-62", "-62"),
        (#"throttled=0x([0-9a-fA-F]+)"#, "throttled=0x50005\n", "50005"),
        (#"temp=([\d.]+)'C"#, "temp=48.3'C", "48.3"),
        (#"\d+"#, "abc 123 def", "123"),
        ("^b(.*)$", "a\nbcd\ne", "cd"),
        ("a(?:b|c)+(d)", "xxabcbcd", "d"),
        ("(a|ab)(c|bcd)", "abcd", "a"),
        ("colou?r: (\\w+)", "color: red", "red"),
        ("x{2,3}(y)", "xy xxy", "y"),
        ("(.*?),", "a,b,c", "a"),
        ("(.*),", "a,b,c", "a,b"),
        ("[^ ]+ ([^ ]+)", "one two three", "two"),
        (#"\s*(\S+)\s*$"#, "  value  ", "value"),
        (#"(°C)"#, "21 °C", "°C"),
        ("[a-c-]+", "zz-ab-c", "-ab-c"),
        ("a{,2}", "a{,2}", "a{,2}"),
        ("nomatch", "something", nil),
        ("^$", "", ""),
        ("(a*)+b", "aaab", ""),
    ])
    func matches(pattern: String, text: String, expected: String?) throws {
        #expect(try TextPattern(pattern).firstCapture(in: text) == expected)
    }

    @Test(arguments: [
        ("(abc", "missing ')'"),
        ("abc)", "unmatched ')'"),
        ("[abc", "missing ']'"),
        ("*a", "nothing to repeat"),
        ("a**", "nothing to repeat"),
        (#"\b"#, "unsupported escape \\b"),
        (#"(\1)"#, "unsupported escape \\1"),
        ("[z-a]", "range z-a is reversed"),
        ("a{3,1}", "{3,1} has its bounds reversed"),
        ("(?=x)", "only (?: groups are supported"),
        ("abc\\", "pattern ends with a backslash"),
    ])
    func rejects(pattern: String, message: String) {
        do {
            _ = try TextPattern(pattern)
            Issue.record("accepted \(pattern)")
        } catch {
            #expect(error.operation == "parse pattern")
            #expect(error.message.hasPrefix(message + " at character "))
        }
    }

    @Test func catastrophicPatternGivesUpInsteadOfSpinning() throws {
        let pattern = try TextPattern("(a|aa)*(a|aa)*(a|aa)*c")
        #expect(pattern.firstCapture(in: String(repeating: "a", count: 200)) == nil)
    }

    @Test func longInputDoesNotExhaustTheStack() throws {
        let text = String(repeating: "x", count: 200_000) + "=7"
        #expect(try TextPattern("(.*)=(\\d)").firstCapture(in: text)?.count == 200_000)
    }
}

@Suite struct JSONTests {
    @Test func parsesAndSelects() throws {
        let doc = try JSONValue.parse(#" {"a": {"b": [10, 20.5, {"c": "d\u00e9\n"}]}, "t": true, "n": null, "e": -1.5e2, "k.k": 3} "#)
        #expect(try JSONPath("$.a.b[1]").select(in: doc) == .number(20.5))
        #expect(try JSONPath("a.b[2].c").select(in: doc) == .string("dé\n"))
        #expect(try JSONPath("$.t").select(in: doc) == .boolean(true))
        #expect(try JSONPath("$.n").select(in: doc) == .null)
        #expect(try JSONPath("e").select(in: doc) == .number(-150))
        #expect(try JSONPath(#"$["k.k"]"#).select(in: doc) == .number(3))
        #expect(try JSONPath("$.a.b[9]").select(in: doc) == nil)
        #expect(try JSONPath("$.a[0]").select(in: doc) == nil)
    }

    @Test func surrogatePairs() throws {
        #expect(try JSONValue.parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try JSONValue.parse(#""\ud83d""#) == .string("\u{FFFD}"))
    }

    @Test(arguments: ["", "{", "[1,]", #"{"a" 1}"#, "tru", #""abc"#, "1 2", "[" + String(repeating: "[", count: 70) + "]", #""\x""#, "nan"])
    func rejects(text: String) {
        #expect(throws: DeviceError.self) { try JSONValue.parse(text) }
    }

    @Test(arguments: ["", "$", "a..b", "a[", "a[x]", #"a["b"#])
    func rejectsPaths(path: String) {
        #expect(throws: DeviceError.self) { try JSONPath(path) }
    }
}
