import Testing
import TOML

/// One valid document and the value expected at a path in it.
struct ValidCase: Sendable, CustomTestStringConvertible {
    let toml: String
    let path: String
    let expected: TOMLValue
    init(_ toml: String, _ path: String, _ expected: TOMLValue) {
        self.toml = toml
        self.path = path
        self.expected = expected
    }
    var testDescription: String { "\(path) in \(toml.debugDescription)" }
}

// Written for this project from the TOML 1.0 specification (toml.io/en/v1.0.0); each construct
// of the grammar appears at least once.
let validCases: [ValidCase] = [
    // Comments and keys
    ValidCase("# a comment\na = 1 # trailing comment\n# end", "a", .integer(1)),
    ValidCase("bare-key_1 = 'x'", "bare-key_1", .string("x")),
    ValidCase("1234 = 'digits'", "1234", .string("digits")),
    ValidCase("\"key with spaces\" = 1", "key with spaces", .integer(1)),
    ValidCase("'literal \\ key' = 1", "literal \\ key", .integer(1)),
    ValidCase("\"\" = 'empty key'", "", .string("empty key")),
    ValidCase("\"ʎǝʞ\" = 2", "ʎǝʞ", .integer(2)),
    ValidCase("\"esc\\u00E9\" = 3", "escé", .integer(3)),
    ValidCase("a.b.c = 1", "a/b/c", .integer(1)),
    ValidCase("a . b\t.  c = 1", "a/b/c", .integer(1)),
    ValidCase("site.\"google.com\" = true", "site/google.com", .boolean(true)),
    ValidCase("3.14159 = 'pi'", "3/14159", .string("pi")),
    ValidCase("fruit.apple.color = 'red'\nfruit.apple.taste.sweet = true", "fruit/apple/taste/sweet", .boolean(true)),
    ValidCase("\u{FEFF}bom = 1", "bom", .integer(1)),
    ValidCase("a = 1\r\nb = 2\r\n", "b", .integer(2)),
    // Basic and literal strings
    ValidCase(#"s = "tab\tnl\nquote\" back\\ bs\b ff\f cr\r""#, "s", .string("tab\tnl\nquote\" back\\ bs\u{8} ff\u{C} cr\r")),
    ValidCase(#"s = "\u00E9\U0001F600\u0000""#, "s", .string("é😀\u{0}")),
    ValidCase("s = \"tab\there\"", "s", .string("tab\there")),
    ValidCase(#"s = 'C:\Users\nodejs\templates'"#, "s", .string(#"C:\Users\nodejs\templates"#)),
    ValidCase(#"s = '<\i\c*\s*>'"#, "s", .string(#"<\i\c*\s*>"#)),
    ValidCase("s = \"\"", "s", .string("")),
    ValidCase("s = ''", "s", .string("")),
    // Multi-line strings
    ValidCase("s = \"\"\"\nRoses\nViolets\"\"\"", "s", .string("Roses\nViolets")),
    ValidCase("s = \"\"\"\r\nRoses\r\nViolets\"\"\"", "s", .string("Roses\nViolets")),
    ValidCase("s = \"\"\"\nThe quick \\\n\n   brown \\\n   fox.\"\"\"", "s", .string("The quick brown fox.")),
    ValidCase("s = \"\"\"\\\n  trimmed \\  \n  \"\"\"", "s", .string("trimmed ")),
    ValidCase("s = \"\"\"Two quotes: \"\". Done.\"\"\"", "s", .string("Two quotes: \"\". Done.")),
    ValidCase("s = \"\"\"\"This,\" she said, \"is just a pointless statement.\"\"\"\"",
        "s", .string("\"This,\" she said, \"is just a pointless statement.\"")),
    ValidCase("s = \"\"\"ends with two\"\"\"\"\"", "s", .string("ends with two\"\"")),
    ValidCase("s = \"\"\"esc \\t \\u0041\"\"\"", "s", .string("esc \t A")),
    ValidCase("s = '''\nfirst\n  second\\n'''", "s", .string("first\n  second\\n")),
    ValidCase("s = '''I [dw]on't need \\d{2} apples'''", "s", .string("I [dw]on't need \\d{2} apples")),
    ValidCase("s = ''''That,' she said'''", "s", .string("'That,' she said")),
    ValidCase("s = '''ends with one''''", "s", .string("ends with one'")),
    // Integers
    ValidCase("n = 99", "n", .integer(99)),
    ValidCase("n = +17", "n", .integer(17)),
    ValidCase("n = -17", "n", .integer(-17)),
    ValidCase("n = 0", "n", .integer(0)),
    ValidCase("n = +0", "n", .integer(0)),
    ValidCase("n = -0", "n", .integer(0)),
    ValidCase("n = 1_000_000", "n", .integer(1_000_000)),
    ValidCase("n = 5_349_221", "n", .integer(5_349_221)),
    ValidCase("n = 0xDEADBEEF", "n", .integer(0xDEAD_BEEF)),
    ValidCase("n = 0xdead_beef", "n", .integer(0xDEAD_BEEF)),
    ValidCase("n = 0x00ff", "n", .integer(255)),
    ValidCase("n = 0o755", "n", .integer(0o755)),
    ValidCase("n = 0b1101_0110", "n", .integer(0b1101_0110)),
    ValidCase("n = 9223372036854775807", "n", .integer(.max)),
    ValidCase("n = -9223372036854775808", "n", .integer(.min)),
    ValidCase("n = 0x7FFFFFFFFFFFFFFF", "n", .integer(.max)),
    // Floats
    ValidCase("x = 1.0", "x", .float(1.0)),
    ValidCase("x = +1.5", "x", .float(1.5)),
    ValidCase("x = -0.01", "x", .float(-0.01)),
    ValidCase("x = 5e+22", "x", .float(5e22)),
    ValidCase("x = 1e06", "x", .float(1e6)),
    ValidCase("x = -2E-2", "x", .float(-0.02)),
    ValidCase("x = 6.626e-34", "x", .float(6.626e-34)),
    ValidCase("x = 224_617.445_991_228", "x", .float(224_617.445_991_228)),
    ValidCase("x = 0e0", "x", .float(0)),
    ValidCase("x = 0.0", "x", .float(0)),
    ValidCase("x = 1e1_0", "x", .float(1e10)),
    ValidCase("x = inf", "x", .float(.infinity)),
    ValidCase("x = +inf", "x", .float(.infinity)),
    ValidCase("x = -inf", "x", .float(-.infinity)),
    // Booleans
    ValidCase("t = true", "t", .boolean(true)),
    ValidCase("f = false", "f", .boolean(false)),
    // Date-times, kept as written
    ValidCase("d = 1979-05-27T07:32:00Z", "d", .dateTime("1979-05-27T07:32:00Z")),
    ValidCase("d = 1979-05-27T00:32:00-07:00", "d", .dateTime("1979-05-27T00:32:00-07:00")),
    ValidCase("d = 1979-05-27T00:32:00.999999+05:30", "d", .dateTime("1979-05-27T00:32:00.999999+05:30")),
    ValidCase("d = 1979-05-27 07:32:00Z", "d", .dateTime("1979-05-27 07:32:00Z")),
    ValidCase("d = 1979-05-27t07:32:00z", "d", .dateTime("1979-05-27t07:32:00z")),
    ValidCase("d = 1979-05-27T07:32:00", "d", .dateTime("1979-05-27T07:32:00")),
    ValidCase("d = 1979-05-27", "d", .dateTime("1979-05-27")),
    ValidCase("d = 1979-05-27 # a date, then a comment", "d", .dateTime("1979-05-27")),
    ValidCase("d = 07:32:00", "d", .dateTime("07:32:00")),
    ValidCase("d = 00:32:00.999999", "d", .dateTime("00:32:00.999999")),
    ValidCase("d = 2000-02-29", "d", .dateTime("2000-02-29")),
    ValidCase("d = 2016-12-31T23:59:60Z", "d", .dateTime("2016-12-31T23:59:60Z")),
    ValidCase("d = [1979-05-27 07:32:00, 07:32:00]", "d", .array([.dateTime("1979-05-27 07:32:00"), .dateTime("07:32:00")])),
    // Arrays
    ValidCase("a = [ 1, 2, 3 ]", "a", .array([.integer(1), .integer(2), .integer(3)])),
    ValidCase("a = []", "a", .array([])),
    ValidCase("a = [ \"red\", 'yellow', \"\"\"green\"\"\" ]", "a", .array([.string("red"), .string("yellow"), .string("green")])),
    ValidCase("a = [ [ 1, 2 ], [\"a\", 'b'] ]", "a/1/0", .string("a")),
    ValidCase("a = [ 0.1, 1, \"mixed\", true ]", "a", .array([.float(0.1), .integer(1), .string("mixed"), .boolean(true)])),
    ValidCase("a = [\n  1, # one\n  2,\n  # a comment line\n\n  3, # trailing comma\n]", "a",
        .array([.integer(1), .integer(2), .integer(3)])),
    ValidCase("a = [\r\n 1,\r\n 2\r\n]", "a", .array([.integer(1), .integer(2)])),
    ValidCase("a = [ { x = 1 }, { x = 2, y = [3] } ]", "a/1/y/0", .integer(3)),
    // Inline tables
    ValidCase("p = { x = 1, y = 2 }", "p/y", .integer(2)),
    ValidCase("p = {}", "p", .table(TOMLTable(file: "", line: 0, path: ""))),
    ValidCase("p = {x=1,y=2}", "p/x", .integer(1)),
    ValidCase("animal = { type.name = \"pug\", type.size = 'small' }", "animal/type/size", .string("small")),
    ValidCase("p = { a = { b = { c = true } } }", "p/a/b/c", .boolean(true)),
    ValidCase("p = { list = [\n 1,\n 2 ] }", "p/list/1", .integer(2)),
    // Tables
    ValidCase("[table]\nkey = 'value'", "table/key", .string("value")),
    ValidCase("[ j . \"ʞ\" . 'l' ]\nx = 1", "j/ʞ/l/x", .integer(1)),
    ValidCase("[a.b.c]\nx = 1\n[a]\ny = 2", "a/y", .integer(2)),
    ValidCase("[a.b.c]\nx = 1\n[a]\ny = 2", "a/b/c/x", .integer(1)),
    ValidCase("[fruit]\napple.color = 'red'\n[fruit.apple.texture]\nsmooth = true", "fruit/apple/texture/smooth", .boolean(true)),
    ValidCase("[a]\n[b]\n[a.c]\nx = 1", "a/c/x", .integer(1)),
    ValidCase("[\"quoted.name\"]\nx = 1", "quoted.name/x", .integer(1)),
    ValidCase("[empty]", "empty", .table(TOMLTable(file: "", line: 0, path: ""))),
    // Arrays of tables
    ValidCase("[[p]]\nname = 'a'\n[[p]]\n[[p]]\nname = 'c'", "p/2/name", .string("c")),
    ValidCase("[[p]]\nname = 'a'\n[[p]]\n[[p]]\nname = 'c'", "p/1", .table(TOMLTable(file: "", line: 0, path: ""))),
    ValidCase("[[fruit]]\nname = 'apple'\n[fruit.physical]\ncolor = 'red'\n[[fruit.variety]]\nname = 'red delicious'\n"
        + "[[fruit.variety]]\nname = 'granny smith'\n[[fruit]]\nname = 'banana'\n[[fruit.variety]]\nname = 'plantain'",
        "fruit/0/variety/1/name", .string("granny smith")),
    ValidCase("[[fruit]]\nname = 'apple'\n[fruit.physical]\ncolor = 'red'\n[[fruit]]\nname = 'banana'\n[[fruit.variety]]\n"
        + "name = 'plantain'", "fruit/1/variety/0/name", .string("plantain")),
    ValidCase("[[a.b]]\nx = 1\n[a]\ny = 2", "a/b/0/x", .integer(1)),
]

@Test(arguments: validCases)
func parsesValidDocument(_ testCase: ValidCase) throws {
    let document = try parse(testCase.toml)
    #expect(value(at: testCase.path, in: document.root) == testCase.expected)
}

@Test(arguments: ["x = nan", "x = +nan", "x = -nan"])
func parsesNaN(_ toml: String) throws {
    let x = try #require(try parse(toml).root.double("x"))
    #expect(x.isNaN)
}

@Test func keepsKeysInDocumentOrder() throws {
    let root = try parse("zeta = 1\nalpha = 2\n[mid]\n[[last]]\nbeta.x = 3").root
    #expect(root.keys == ["zeta", "alpha", "mid", "last"])
    let last = try #require(try root.tableArray("last")?.first)
    #expect(last.keys == ["beta"])
}

@Test func emptyDocumentsHaveAnEmptyRoot() throws {
    for text in ["", "\n\n", "   \t", "# only a comment", "\u{FEFF}"] {
        let document = try parse(text)
        #expect(document.root.isEmpty)
        #expect(document.root.line == 1)
        #expect(document.root.path == "")
        #expect(document.file == "test.toml")
    }
}

@Test func remembersLines() throws {
    let text = """
        # agent config
        name = "kinglet"

        [xmpp]
        jid = "sensor-7@example.org"
        port = 5222
        tls.required = true

        [sensors.cpu]
        interval = "30s"
        [[outputs]]
        pin = 17
        [[outputs]]
        pin = 18
        limits = { low = 1, high = 2 }
        """
    let root = try parse(text).root
    #expect(root.line == 1)
    #expect(root.line(of: "name") == 2)
    let xmpp = try #require(try root.table("xmpp"))
    #expect(xmpp.line == 4)
    #expect(xmpp.path == "xmpp")
    #expect(xmpp.displayName == "[xmpp]")
    #expect(xmpp.line(of: "jid") == 5)
    #expect(xmpp.line(of: "port") == 6)
    #expect(xmpp.line(of: "tls") == 7)
    #expect(xmpp.line(of: "nope") == nil)
    let sensors = try #require(try root.table("sensors"))
    #expect(sensors.line == 9)  // implied by [sensors.cpu]
    let cpu = try #require(try sensors.table("cpu"))
    #expect(cpu.path == "sensors.cpu")
    #expect(cpu.line(of: "interval") == 10)
    let outputs = try #require(try root.tableArray("outputs"))
    #expect(root.line(of: "outputs") == 11)
    #expect(outputs.map(\.line) == [11, 13])
    #expect(outputs[1].displayName == "[[outputs]]")
    #expect(outputs[1].line(of: "limits") == 15)
    #expect(try outputs[1].table("limits")?.path == "outputs.limits")
}

@Test func implicitTableTakesTheLineOfItsOwnHeader() throws {
    let root = try parse("[a.b]\nx = 1\n\n[a]\ny = 2").root
    #expect(root.line(of: "a") == 4)
    #expect(try root.table("a")?.line == 4)
    #expect(try root.table("a")?.table("b")?.line == 1)
}

@Test func multiLineValuesAreAtTheirKeysLine() throws {
    let root = try parse("a = \"\"\"\none\ntwo\"\"\"\nb = [\n1,\n2]\nc = 3").root
    #expect(root.line(of: "a") == 1)
    #expect(root.line(of: "b") == 4)
    #expect(root.line(of: "c") == 7)
}

@Test func quotesPathsThatAreNotBare() throws {
    let root = try parse("[servers.\"alpha.example\"]\nip = '10.0.0.1'").root
    let alpha = try #require(try root.table("servers")?.table("alpha.example"))
    #expect(alpha.path == "servers.\"alpha.example\"")
}

@Test func tablesCompareByContentOnly() throws {
    let one = try parse("[t]\na = 1\nb = 'x'").root
    let two = try parse("\n\nt = { b = 'x', a = 1 }").root
    #expect(one == two)
    #expect(one != (try parse("t = { a = 1 }").root))
}
