// swift-tools-version: 6.0
// Kinglet: a small XMPP agent for Linux single-board computers.
//
// Modules depend one way only, bottom to top:
//   C wrappers (CLibXML2, CMbedTLS, CSQLite, CLinux, CGPIO), each imported by one Swift module
//   Support, TOML                      no C, no Foundation; Support holds the one clock (AgentClock)
//   Readings                           the values every layer passes: readings, field and control values
//   XMLStream (libxml2), Crypto (mbedTLS)
//   XMPPCore                           JIDs, stanzas, SASL, negotiation and SM state machines; no I/O
//   Transport (SRV, sockets, the I/O thread), Devices (profiles, sources, outputs, the Device), Store (SQLite)
//   Session                            one session: the actor and its life-cycle state machine
//   XEPs                               one folder per protocol extension
//   Agent                              config, wiring, signals, CLI; `kinglet` is a thin main
//   TestSupport (under Tests/)         what unit tests share: `eventually`, manual-clock waits, a scripted server
// Foundation is deliberately not used by any shipped module: it would triple the binary (see README).
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    // Each function in its own section, so the release link can place the code the running
    // agent uses together (Benchmarks/layout/kinglet.order; README, Figures).
    .unsafeFlags(["-Xfrontend", "-function-sections"], .when(configuration: .release)),
]

/// A C library from Debian: the shared library in debug builds (tests, fuzzing), the static archive
/// in release builds, where only the code the agent runs is resident and that code joins the
/// layout (README, Figures). `staticOnly` are what the archive itself needs (a shared library
/// names its own dependencies).
func cLibraries(_ names: [String], staticOnly: [String] = []) -> [LinkerSetting] {
    names.map { .linkedLibrary($0, .when(configuration: .debug)) }
        + [.unsafeFlags((names + staticOnly).flatMap { ["-Xlinker", "-l:lib\($0).a"] }, .when(configuration: .release))]
}

let package = Package(
    name: "kinglet",
    products: [
        .executable(name: "kinglet", targets: ["kinglet"]),
        .executable(name: "kinglet-bench", targets: ["kinglet-bench"]),
    ],
    targets: [
        // C libraries, each behind one module map.
        // Each C library is linked by the Swift target that wraps it (cLibraries), not by its module map.
        .systemLibrary(name: "CLibXML2", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CMbedTLS", providers: [.apt(["libmbedtls-dev"])]),
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLinux"),
        .systemLibrary(name: "CGPIO"),

        .target(name: "Support", swiftSettings: strict),
        .target(name: "TOML", dependencies: ["Support"], swiftSettings: strict),
        .target(name: "Readings", dependencies: ["Support"], swiftSettings: strict),
        // libxml2 without ICU (CNoICU says why); libxml2's headers live in their own directory.
        .target(name: "CNoICU"),
        .target(
            name: "XMLStream", dependencies: ["CLibXML2", "CNoICU", "Support"],
            swiftSettings: strict + [.unsafeFlags(["-Xcc", "-I/usr/include/libxml2"])],
            linkerSettings: cLibraries(["xml2"], staticOnly: ["z", "lzma"])),
        .target(
            name: "Crypto", dependencies: ["CMbedTLS", "Support"], swiftSettings: strict,
            linkerSettings: cLibraries(["mbedtls", "mbedx509", "mbedcrypto"])),
        .target(name: "XMPPCore", dependencies: ["XMLStream", "Crypto", "Support"], swiftSettings: strict),
        .target(name: "Transport", dependencies: ["CLinux", "XMLStream", "Crypto", "Support"], swiftSettings: strict),
        .target(name: "Devices", dependencies: ["CGPIO", "TOML", "Readings", "Support"], swiftSettings: strict),
        .target(
            name: "Store", dependencies: ["CSQLite", "Readings", "Support"], swiftSettings: strict,
            linkerSettings: cLibraries(["sqlite3"])),
        .target(name: "Session", dependencies: ["XMPPCore", "Transport", "Support"], swiftSettings: strict),
        .target(name: "XEPs", dependencies: ["Session", "XMPPCore", "Crypto", "Devices", "Store", "Readings", "Support"], swiftSettings: strict),
        .target(name: "Agent", dependencies: ["XEPs", "Session", "XMPPCore", "Transport", "Crypto", "Devices", "Store", "Readings", "TOML", "Support"], swiftSettings: strict),
        // The fleet console (`kinglet fleet`): cold code for a device, kept out of the agent's modules.
        .target(name: "Fleet", dependencies: ["Agent", "XEPs", "Session", "Transport", "XMPPCore", "XMLStream", "Devices", "Store", "Readings", "TOML", "Support"], swiftSettings: strict),
        // `kinglet doctor`: cold code too, checks run once by a person before going live.
        .target(name: "Doctor", dependencies: ["Agent", "XEPs", "Session", "Transport", "Crypto", "XMPPCore", "XMLStream", "Devices", "Store", "Readings", "Support"], swiftSettings: strict),
        .executableTarget(name: "kinglet", dependencies: ["Agent", "Fleet", "Doctor"], swiftSettings: strict),
        .executableTarget(
            name: "kinglet-bench", dependencies: ["Agent", "XEPs", "Session", "Transport", "XMLStream", "Crypto", "XMPPCore", "Devices", "Store", "Readings", "TOML", "Support"],
            path: "Benchmarks/kinglet-bench", swiftSettings: strict),

        .target(name: "TestSupport", dependencies: ["Support"], path: "Tests/TestSupport", swiftSettings: strict),
        // Fuzz targets (Tests/Fuzz): replayed over their corpus by FuzzTests; `make fuzz` builds
        // kinglet-fuzz with -sanitize=fuzzer,address -DFUZZING and hands them to libFuzzer.
        .target(
            name: "FuzzTargets", dependencies: ["Agent", "XEPs", "Session", "Transport", "XMPPCore", "XMLStream", "Devices", "Readings", "TOML", "Crypto", "Support"],
            path: "Tests/Fuzz/Targets", swiftSettings: strict),
        .target(name: "CFuzzer", path: "Tests/Fuzz/CFuzzer"),
        .executableTarget(name: "kinglet-fuzz", dependencies: ["FuzzTargets", "CFuzzer", "Support"], path: "Tests/Fuzz/Driver"),
        .testTarget(name: "SupportTests", dependencies: ["Support"]),
        .testTarget(name: "TOMLTests", dependencies: ["TOML"]),
        .testTarget(name: "XMLStreamTests", dependencies: ["XMLStream"]),
        .testTarget(name: "CryptoTests", dependencies: ["Crypto"]),
        .testTarget(name: "XMPPCoreTests", dependencies: ["XMPPCore"]),
        .testTarget(name: "TransportTests", dependencies: ["Transport", "TestSupport"]),
        .testTarget(name: "DevicesTests", dependencies: ["Devices", "TestSupport"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "TestSupport"]),
        .testTarget(name: "SessionTests", dependencies: ["Session", "TestSupport"]),
        .testTarget(name: "XEPsTests", dependencies: ["XEPs", "TestSupport"]),
        .testTarget(name: "AgentTests", dependencies: ["Agent", "TestSupport"]),
        .testTarget(name: "FleetTests", dependencies: ["Fleet"]),
        .testTarget(name: "DoctorTests", dependencies: ["Doctor"]),
        .testTarget(name: "FuzzTests", dependencies: ["FuzzTargets"]),
    ]
)
