import Foundation
import Store
import Testing

@testable import Agent

@Suite struct StoreSettingsTests {
    @Test func theDefaultFolderIsCreatedPrivate() throws {
        let base = NSTemporaryDirectory() + "kinglet-state-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        let defaultPath = base + "/kinglet/kinglet.db"

        let store = StoreConfiguration(path: defaultPath)
        #expect(try store.createDefaultFolderIfMissing(defaultPath: defaultPath) == base + "/kinglet")
        let attributes = try FileManager.default.attributesOfItem(atPath: base + "/kinglet")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o700)
        // Present now: left alone.
        #expect(try store.createDefaultFolderIfMissing(defaultPath: defaultPath) == nil)
    }

    @Test func aConfiguredPathsFolderIsNotCreated() throws {
        let base = NSTemporaryDirectory() + "kinglet-state-\(UUID().uuidString)"
        let store = StoreConfiguration(path: base + "/mine/kinglet.db")
        #expect(try store.createDefaultFolderIfMissing(defaultPath: base + "/kinglet/kinglet.db") == nil)
        #expect(!FileManager.default.fileExists(atPath: base))
    }
}
