import Foundation
import Testing
import TOML

/// A file in a fresh temporary directory, removed when the test ends.
private func withTemporaryFile(_ bytes: [UInt8], _ body: (String) throws -> Void) throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("toml-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("agent.toml").path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    try body(path)
}

@Test func loadsAFile() throws {
    try withTemporaryFile(Array("[xmpp]\njid = \"a@example.org\"\n".utf8)) { path in
        let document = try TOMLDocument.load(path: path)
        #expect(document.file == path)
        let xmpp = try document.root.requireTable("xmpp")
        #expect(xmpp.file == path)
        #expect(try xmpp.requireString("jid") == "a@example.org")
        #expect(xmpp.error("x", at: "jid").description == "\(path):2: x")
    }
}

@Test func missingFileFailsAtLineZeroWithTheSystemReason() {
    let path = "/nonexistent/kinglet/agent.toml"
    let error = #expect(throws: TOMLError.self) { try TOMLDocument.load(path: path) }
    #expect(error?.line == 0)
    #expect(error?.description == "\(path): cannot read: No such file or directory")
}

@Test func directoryFailsAtLineZero() {
    let error = #expect(throws: TOMLError.self) { try TOMLDocument.load(path: "/") }
    #expect(error?.line == 0)
    #expect(error?.message == "cannot read: Is a directory")
}

@Test func invalidUTF8FailsAtItsLine() throws {
    try withTemporaryFile(Array("a = 1\nb = 2\nc = \"".utf8) + [0xFF, 0xFE] + Array("\"\n".utf8)) { path in
        let error = #expect(throws: TOMLError.self) { try TOMLDocument.load(path: path) }
        #expect(error?.description == "\(path):3: invalid UTF-8")
    }
}

@Test func parseErrorsFromAFileNameIt() throws {
    try withTemporaryFile(Array("a = 1\na = 2\n".utf8)) { path in
        let error = #expect(throws: TOMLError.self) { try TOMLDocument.load(path: path) }
        #expect(error?.description == "\(path):2: duplicate key 'a' (first defined on line 1)")
    }
}
