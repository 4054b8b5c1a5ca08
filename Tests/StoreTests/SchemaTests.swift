import Foundation
import Readings
@testable import Store
import Testing

@Suite("schema versions and migrations")
struct SchemaTests {
    @Test("a fresh file reaches the latest version and is marked as Kinglet's")
    func freshFile() async throws {
        let directory = TemporaryDirectory()
        _ = try await ReadingStore(configuration: testConfiguration(directory))
        let connection = try SQLiteConnection(path: directory.database, mode: .readOnly)
        #expect(try connection.integer("PRAGMA user_version") == Schema.latestVersion)
        #expect(try connection.integer("PRAGMA application_id") == Schema.applicationID)
        #expect(try connection.text("PRAGMA journal_mode") == "wal")
    }

    @Test("a file with a newer schema is refused with a clear error and left untouched")
    func newerVersionRefused() async throws {
        let directory = TemporaryDirectory()
        let store = try await ReadingStore(configuration: testConfiguration(directory))
        var sampler = Sampler(after: 0)
        await store.append(sampler.batch(2))
        await store.close()
        try SQLiteConnection(path: directory.database, mode: .readWrite).execute("PRAGMA user_version = 99")

        let error = await #expect(throws: StoreError.self) {
            _ = try await ReadingStore(configuration: testConfiguration(directory))
        }
        #expect(error?.kind == .newerSchema)
        #expect(error?.description.contains("schema version 99 is newer than this Kinglet understands (\(Schema.latestVersion))") == true)
        #expect(throws: StoreError.self) { _ = try StoreReader(path: directory.database) }
        #expect(try SQLiteConnection(path: directory.database, mode: .readOnly).integer("SELECT count(*) FROM reading") == 2)
    }

    @Test("another program's database is refused, not written into")
    func foreignDatabaseRefused() async throws {
        let directory = TemporaryDirectory()
        try SQLiteConnection(path: directory.database, mode: .readWrite).execute("CREATE TABLE customers (id INTEGER)")
        let error = await #expect(throws: StoreError.self) {
            _ = try await ReadingStore(configuration: testConfiguration(directory))
        }
        #expect(error?.kind == .notKinglet)
        let connection = try SQLiteConnection(path: directory.database, mode: .readOnly)
        #expect(try connection.integer("SELECT count(*) FROM sqlite_master") == 1)
    }

    @Test("migrations run only the missing steps, in order, keeping the data")
    func upgradeFromTheLatest() throws {
        let directory = TemporaryDirectory()
        let connection = try SQLiteConnection(path: directory.database, mode: .readWrite)
        try Schema.migrate(connection)
        try connection.execute("INSERT INTO reading VALUES (1, 1, 0, 'a', 2, 7, NULL, '', 0, 32, NULL, 30)")
        let next = Schema.latestVersion + 1
        let later = Schema.migrations + [
            Schema.Migration(version: next, statements: ["ALTER TABLE reading ADD COLUMN note TEXT"]),
            Schema.Migration(version: next + 1, statements: ["UPDATE reading SET note = 'v3'"]),
        ]
        try Schema.migrate(connection, migrations: later)
        #expect(try connection.integer("PRAGMA user_version") == next + 1)
        #expect(try connection.text("SELECT note FROM reading WHERE sequence = 1") == "v3")
        // Running again changes nothing.
        try Schema.migrate(connection, migrations: later)
        #expect(try connection.integer("SELECT count(*) FROM reading") == 1)
    }

    @Test("a failing migration step rolls back to the previous version")
    func failedMigrationRollsBack() throws {
        let directory = TemporaryDirectory()
        let connection = try SQLiteConnection(path: directory.database, mode: .readWrite)
        try Schema.migrate(connection)
        let broken = Schema.migrations + [
            Schema.Migration(version: Schema.latestVersion + 1, statements: ["CREATE TABLE extra (x)", "THIS IS NOT SQL"])
        ]
        let error = #expect(throws: StoreError.self) { try Schema.migrate(connection, migrations: broken) }
        #expect(error?.sql == "THIS IS NOT SQL")
        #expect(try connection.integer("PRAGMA user_version") == Schema.latestVersion)
        #expect(try connection.integer("SELECT count(*) FROM sqlite_master WHERE name = 'extra'") == 0)
    }
}
