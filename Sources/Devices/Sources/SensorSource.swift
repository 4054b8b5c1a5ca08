package import Support

/// Reads one raw value. Reads are synchronous: the device runs those that cannot block inline
/// and the others on a thread of their own with a deadline (see `Blocking`), so a slow command,
/// a 750 ms 1-wire conversion or a wedged sysfs attribute never holds up another sensor.
package protocol SensorSource: Sendable {
    var blocking: Blocking { get }
    /// How long a read off the actor gets before its sensor is reported failing.
    var deadline: Duration { get }
    /// Reads the value now. `time` is the device's monotonic time (the simulator's clock).
    func read(at time: Duration) throws(DeviceError) -> RawValue
}

extension SensorSource {
    package var deadline: Duration { Blocking.deadline }
}

/// A change a source saw as it happened, between scheduled reads.
package struct SourceEvent: Sendable, Hashable {
    package var value: RawValue
    /// When it happened, on the wall clock.
    package var time: Timestamp

    package init(value: RawValue, time: Timestamp) {
        self.value = value
        self.time = time
    }
}

/// A source that also reports changes the moment they happen (a GPIO line's edges), besides
/// being read on schedule. Its events come from a thread of its own that sleeps in `poll`, so
/// an idle agent is not woken.
package protocol EventSource: SensorSource {
    /// Starts reporting changes to `report`, called on the source's own thread, from the first
    /// successful read on (a source that cannot be read has nothing to watch) until
    /// `stopEvents`.
    func startEvents(_ report: @escaping @Sendable (SourceEvent) -> Void)
    func stopEvents()
}

/// Builds the source for a spec, bound to the host's paths.
package enum SourceFactory {
    /// `seed` feeds the simulator; `name` keeps each simulated sensor's sequence its own.
    package static func make(_ spec: SourceSpec, name: String, paths: HostPaths, seed: UInt64) -> any SensorSource {
        switch spec {
        case .thermal(let zone, let type): ThermalSource(paths: paths, zone: zone, type: type)
        case .hwmon(let chip, let attribute): HwmonSource(paths: paths, chip: chip, attribute: attribute)
        case .iio(let device, let channel): IIOSource(paths: paths, device: device, channel: channel)
        case .oneWire(let device): OneWireSource(paths: paths, device: device)
        case .proc(let metric, let interface): ProcSource(paths: paths, metric: metric, interface: interface)
        case .filesystem(let path, let metric): FilesystemSource(path: path, metric: metric)
        case .file(let path, let extraction): FileSource(path: paths.resolve(path), extraction: extraction)
        case .command(let command, let extraction): CommandSource(command: command, extraction: extraction)
        case .simulated(let signal): SimulatedSource(signal: signal, seed: SplitMix64.seed(seed, name))
        case .system(let item): SystemSource(paths: paths, item: item)
        case .constant(let text): ConstantSource(text: text)
        case .gpio(let input): GPIOInputSource(input: input, paths: paths)
        }
    }
}

/// A fixed value from the profile.
struct ConstantSource: SensorSource {
    let text: String
    var blocking: Blocking { .never }
    func read(at time: Duration) throws(DeviceError) -> RawValue { .text(text) }
}
