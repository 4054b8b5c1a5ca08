package import Devices
package import TOML

/// The `[device]` section: which profile describes the board, and overrides for it.
package struct DeviceSettings: Sendable {
    package var profile: DeviceProfile
    /// Simulator seed override, for reproducible demos and tests.
    package var seed: UInt64?
    /// The device's XEP-0323/0325 node id (`node`); the profile's name unless configured.
    package var nodeID: String

    static let keys: Set<String> = ["profile", "seed", "interval", "node"]

    /// Reads the section and loads the profile it names: a path (relative to the config file)
    /// or a bare name looked up beside the config, in `Devices/` and in /usr/share/kinglet/devices.
    package init(_ table: TOMLTable, configDirectory: String) throws(TOMLError) {
        try table.rejectUnknownKeys(allowed: Self.keys)
        let reference = try table.requireString("profile")
        let resolved = reference.contains("/") && !reference.hasPrefix("/") ? configDirectory + "/" + reference : reference
        let directories = [configDirectory + "/devices"] + DeviceProfile.searchDirectories
        do {
            profile = try DeviceProfile.load(reference: resolved, searchDirectories: directories)
        } catch {
            if error.line == 0 && error.file == resolved {
                throw table.error(error.message, at: "profile")  // not found: point at the config line
            }
            throw error
        }
        if let interval = try table.duration("interval", atLeast: .milliseconds(10)) {
            profile = profile.overridingInterval(interval)
        }
        nodeID = try table.string("node") ?? profile.name
        guard !nodeID.isEmpty else { throw table.error("node must not be empty", at: "node") }
        if let seed = try table.integer("seed") {
            guard seed >= 0 else { throw table.error("seed must not be negative", at: "seed") }
            self.seed = UInt64(seed)
        }
    }
}
