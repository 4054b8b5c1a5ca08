// `make bench` runs this: in-process benchmarks of the modules, each printing its figures.
// Process-level figures (binary size, memory of the running agent, CPU over TLS) come from
// Benchmarks/bench_agent.py, which drives the real binary.
import Glibc

/// Every in-process benchmark, in the order they run. Each returns its figures.
let benchmarks: [(name: String, run: () async throws -> [Figure])] = [
    ("harness", harnessSelfCheck),
    ("crypto", cryptoBenchmark),
]

let only = CommandLine.arguments.dropFirst().first
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
