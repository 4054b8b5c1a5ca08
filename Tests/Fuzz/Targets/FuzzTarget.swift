/// One fuzz target: a function of arbitrary bytes that must never crash, hang or break an
/// invariant (it traps with `precondition` when one breaks).
///
/// Every target also runs in the ordinary test suite, over its committed corpus
/// (`Tests/Fuzz/Corpus/<name>/`), so a crash once found stays fixed. Built with
/// `-sanitize=fuzzer,address -DFUZZING` (`make fuzz`), `kinglet-fuzz` hands them to libFuzzer.
package protocol FuzzTarget: Sendable {
    /// The name `kinglet-fuzz` takes and the folder of the corpus.
    static var name: String { get }
    /// Runs one input. Keeps nothing from one input to the next.
    static func run(_ input: [UInt8])
}

/// Every target, in the order `make fuzz` runs them.
package enum FuzzTargets {
    package static let all: [any FuzzTarget.Type] = [
        XMLStreamFuzz.self,
        NegotiationFuzz.self,
        RouterFuzz.self,
        ConfigFuzz.self,
        SCRAMFuzz.self,
        DNSFuzz.self,
        DateFuzz.self,
        IoTPayloadFuzz.self,
    ]

    package static func named(_ name: String) -> (any FuzzTarget.Type)? {
        all.first { $0.name == name }
    }
}
