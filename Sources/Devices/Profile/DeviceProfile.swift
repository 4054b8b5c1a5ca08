import Support

/// A device profile: the sensors and controls of one kind of board, loaded from a TOML file in
/// `Devices/` (see `Devices/README.md` for the format).
package struct DeviceProfile: Sendable, Hashable {
    /// The profile's name: `[device] name`, or the file name without `.toml`.
    package var name: String
    /// The file it was loaded from (empty when built in code).
    package var file: String
    package var description: String
    package var sensors: [SensorDefinition]
    package var controls: [ControlDefinition]
    /// Fraction of each interval by which ticks are randomly delayed (0 to 0.5).
    package var jitter: Double
    /// Seeds the simulator and the jitter.
    package var seed: UInt64

    package init(
        name: String, file: String = "", description: String = "", sensors: [SensorDefinition],
        controls: [ControlDefinition] = [], jitter: Double = 0, seed: UInt64 = 1
    ) {
        self.name = name
        self.file = file
        self.description = description
        self.sensors = sensors
        self.controls = controls
        self.jitter = jitter
        self.seed = seed
    }

    /// The same profile with every periodic sensor sampled at `interval` (sensors read once stay
    /// so): for tests and demos that need readings faster than the profile's pace.
    package func overridingInterval(_ interval: Duration) -> DeviceProfile {
        var copy = self
        for i in copy.sensors.indices where copy.sensors[i].interval != nil {
            copy.sensors[i].interval = interval
        }
        return copy
    }
}

extension DeviceProfile {
    /// `3 sensors, 3 identity fields, 4 controls`: identity fields (serial number, model, host
    /// facts) are counted apart from the sensors that measure something.
    package var countsText: String {
        let identities = sensors.count { $0.fieldType == .identity }
        return ([(sensors.count - identities).counted("sensor")] + (identities > 0 ? [identities.counted("identity field")] : [])
            + [controls.count.counted("control")]).joined(separator: ", ")
    }
}
