import Foundation
import Testing

@testable import Devices

/// The profiles compiled into the binary are the shipped files, and a file still wins.
@Suite struct BuiltInProfileTests {
    private var shippedFiles: [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: repositoryRoot + "/Devices")) ?? []
        return files.filter { $0.hasSuffix(".toml") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// Fails when a file in Devices/ was added, removed or edited without `make profiles`.
    @Test func textsAreTheShippedFiles() throws {
        #expect(!shippedFiles.isEmpty)
        #expect(BuiltInProfiles.names == shippedFiles, "run `make profiles`")
        for name in shippedFiles {
            let file = try String(contentsOfFile: repositoryRoot + "/Devices/\(name).toml", encoding: .utf8)
            #expect(BuiltInProfiles.text(named: name) == file, "Devices/\(name).toml changed: run `make profiles`")
        }
    }

    @Test(arguments: ProfileTests.shipped)
    func aNameResolvesWithNothingInstalled(name: String) throws {
        let builtIn = try DeviceProfile.load(reference: name, searchDirectories: ["/nonexistent"])
        var fromFile = try DeviceProfile.load(path: repositoryRoot + "/Devices/\(name).toml")
        #expect(builtIn.file == "(built in) \(name).toml")
        fromFile.file = builtIn.file
        #expect(builtIn == fromFile)
    }

    @Test func aFileOfThatNameWins() throws {
        let directory = NSTemporaryDirectory() + "kinglet-builtin-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "[device]\nname = \"mine\"\n[[sensor]]\nname = \"t\"\nsource = \"constant\"\nvalue = \"1\"\n"
            .write(toFile: directory + "/simulated.toml", atomically: false, encoding: .utf8)
        let profile = try DeviceProfile.load(reference: "simulated", searchDirectories: [directory])
        #expect(profile.name == "mine")
        #expect(profile.file == directory + "/simulated.toml")
    }
}
