import Foundation
import Testing
import TestSupport

@testable import Devices
import Readings

/// A fake host: a temporary directory holding `sys`, `proc`, `dev` and `etc` trees that the real
/// sources read through `HostPaths`. Removed when the value goes away.
final class FakeHost {
    let root: String
    var paths: HostPaths { HostPaths(root: root) }

    init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-devices-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        root = base.path
        for dir in ["sys", "proc", "dev", "etc"] {
            try FileManager.default.createDirectory(atPath: root + "/" + dir, withIntermediateDirectories: true)
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Writes `content` at `path` (relative to the root, e.g. `sys/class/thermal/thermal_zone0/temp`),
    /// creating directories on the way.
    func write(_ path: String, _ content: String) throws {
        let full = root + "/" + path
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try content.write(toFile: full, atomically: false, encoding: .utf8)
    }

    func mkdir(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: root + "/" + path, withIntermediateDirectories: true)
    }

    func symlink(_ path: String, to target: String) throws {
        let full = root + "/" + path
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: full, withDestinationPath: target)
    }

    func read(_ path: String) throws -> String {
        try String(contentsOfFile: root + "/" + path, encoding: .utf8)
    }

    /// A shell script at `path`, for command sources and outputs, as the argv that runs it.
    /// Run through /bin/sh rather than exec'd: tests run in parallel, and a child another test
    /// spawns while this file is still open for writing would make exec fail with ETXTBSY.
    func script(_ path: String, _ body: String) throws -> [String] {
        try write(path, body + "\n")
        return ["/bin/sh", root + "/" + path]
    }
}

/// Reads a source built from `spec` and converts it as the device does.
func sample(_ definition: SensorDefinition, on host: FakeHost, at time: Duration = .zero) throws(DeviceError) -> FieldValue {
    let source = SourceFactory.make(definition.source, name: definition.name, paths: host.paths, seed: 1)
    return try definition.value(from: try source.read(at: time))
}

/// The error a read fails with, or nil when it succeeds.
func failure(_ definition: SensorDefinition, on host: FakeHost) -> DeviceError? {
    do {
        _ = try sample(definition, on: host)
        return nil
    } catch {
        return error
    }
}

/// The repository's top directory, for the shipped profiles.
let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// Collects every batch a device publishes, in a task of its own.
actor BatchCollector {
    private(set) var batches: [ReadingBatch] = []

    init(_ stream: AsyncStream<ReadingBatch>) {
        Task { await self.consume(stream) }
    }

    private func consume(_ stream: AsyncStream<ReadingBatch>) async {
        for await batch in stream { batches.append(batch) }
    }

    var readings: [Reading] { batches.flatMap(\.readings) }

    /// Waits until at least `count` batches have arrived.
    func wait(for count: Int, timeout: Duration = .seconds(60)) async -> [ReadingBatch] {
        _ = await eventually(timeout: timeout) { self.batches.count >= count }
        return batches
    }
}

extension FieldValue {
    var double: Double? { number }
}
