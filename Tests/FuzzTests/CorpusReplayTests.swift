import Foundation
import FuzzTargets
import Testing

/// Every fuzz target over its committed corpus (`Tests/Fuzz/Corpus/<target>/`): the seeds and
/// every input that once crashed, so `make test` keeps what fuzzing found fixed. A failing
/// invariant traps, which fails the whole run with the target's message.
@Suite struct CorpusReplayTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/Corpus")

    static let names = FuzzTargets.all.map { $0.name }

    @Test(arguments: names)
    func corpusRunsClean(_ name: String) throws {
        let target = try #require(FuzzTargets.named(name))
        let folder = Self.corpus.appendingPathComponent(name)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(files.count >= 3, "a target needs a seed corpus")
        for file in files {
            target.run(Array(try Data(contentsOf: folder.appendingPathComponent(file))))
        }
    }
}
