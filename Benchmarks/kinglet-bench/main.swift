// `make bench` runs this: in-process benchmarks of the modules, each printing its figures.
// Process-level figures (binary size, memory of the running agent, CPU over TLS) come from
// Benchmarks/bench_agent.py, which drives the real binary.
import Glibc

/// Every in-process benchmark, in the order they run. Each returns its figures.
let benchmarks: [(name: String, run: () async throws -> [Figure])] = [
    ("toml", tomlBench),
    ("xml-parse", xmlParseBenchmark),
    ("store", storeBenchmark),
    ("device", samplerBenchmark),
    ("crypto", cryptoBenchmark),
    ("presence", presenceBenchmark),
    ("readout", readoutBenchmark),
    ("commands", commandsBenchmark),
]

let words = Array(CommandLine.arguments.dropFirst())
if words.first == "chat-flood" {
    // Needs a server: Benchmarks/bench_agent.py starts one and runs this.
    do {
        for figure in try await chatFlood(Array(words.dropFirst())) { print(figure.line) }
        exit(0)
    } catch {
        print("chat-flood: failed: \(error)")
        exit(1)
    }
}
if words.first == "outbox-fill" {
    // A helper for Benchmarks/bench_outbox.py: a backlog for the agent to flush.
    do {
        for figure in try await outboxFill(Array(words.dropFirst())) { print(figure.line) }
        exit(0)
    } catch {
        print("outbox-fill: failed: \(error)")
        exit(1)
    }
}
let only = words.first
for benchmark in benchmarks where only == nil || benchmark.name == only {
    do {
        for figure in try await benchmark.run() {
            print(figure.line)
        }
    } catch {
        print("\(benchmark.name): failed: \(error)")
        exit(1)
    }
}
