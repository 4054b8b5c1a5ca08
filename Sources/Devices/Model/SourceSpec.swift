/// Where a sensor's value comes from: the profile's `source` and its keys, checked and typed.
/// A spec is plain data; `SourceFactory` turns it into a `SensorSource` bound to host paths.
package enum SourceSpec: Sendable, Hashable {
    /// A thermal zone: `zone` names its directory (`thermal_zone0`), `type` matches its `type`
    /// file (`cpu-thermal`); neither means the first zone. Millidegrees Celsius.
    case thermal(zone: String?, type: String?)
    /// A hwmon attribute such as `temp1_input`, on the chip whose `name` file (or directory) is `chip`.
    case hwmon(chip: String, attribute: String)
    /// An IIO channel (`temp`, `humidityrelative`, `pressure`, `voltage0`) of the device whose
    /// `name` file (or directory) is `device`: `_input`, or `(_raw + _offset) * _scale`.
    case iio(device: String, channel: String)
    /// A 1-wire temperature sensor's `w1_slave`; nil means the first `28-*` device.
    case oneWire(device: String?)
    /// A figure from `/proc`; `interface` picks one network interface (nil: all but `lo`).
    case proc(ProcMetric, interface: String?)
    /// statvfs of the filesystem holding `path`.
    case filesystem(path: String, metric: FilesystemMetric)
    /// A file's content, optionally cut down by a pattern or a JSON path.
    case file(path: String, extraction: Extraction)
    /// A command's standard output, optionally cut down the same way.
    case command(CommandSpec, extraction: Extraction)
    /// A deterministic simulated signal.
    case simulated(SimulatedSignal)
    /// A fact about the host: serial number, machine id, model, host name, kernel, agent version.
    case system(SystemItem)
    /// A fixed value from the profile (a location, an asset tag).
    case constant(String)
    /// A GPIO input line through the character device, with edge events.
    case gpio(GPIOInput)

    /// The profile's name for the kind, for messages and tables.
    package var kind: String {
        switch self {
        case .thermal: "thermal"
        case .hwmon: "hwmon"
        case .iio: "iio"
        case .oneWire: "w1"
        case .proc: "proc"
        case .filesystem: "filesystem"
        case .file: "file"
        case .command: "command"
        case .simulated: "simulated"
        case .system(let item): item.rawValue
        case .constant: "constant"
        case .gpio: "gpio"
        }
    }
}

/// Figures read from `/proc`. Memory and network figures are bytes, load is the run-queue
/// average, uptime is seconds.
package enum ProcMetric: String, Sendable, Hashable, CaseIterable {
    case load1 = "load_1m", load5 = "load_5m", load15 = "load_15m"
    case memoryTotal = "mem_total", memoryAvailable = "mem_available", memoryUsed = "mem_used"
    case memoryUsedPercent = "mem_used_percent"
    case swapUsedPercent = "swap_used_percent"
    case uptime
    case networkReceived = "net_rx_bytes", networkSent = "net_tx_bytes"
    case processes
}

/// Figures from statvfs. Percentages are computed as df does: used / (used + available to users).
package enum FilesystemMetric: String, Sendable, Hashable, CaseIterable {
    case usedPercent = "used_percent"
    case availableBytes = "available_bytes"
    case usedBytes = "used_bytes"
    case totalBytes = "total_bytes"
    case inodesUsedPercent = "inodes_used_percent"
}

/// Host facts for identity fields.
package enum SystemItem: String, Sendable, Hashable, CaseIterable {
    /// Device-tree `serial-number` (Raspberry Pi and most ARM boards), else `/etc/machine-id`.
    case serialNumber = "serial_number"
    case machineID = "machine_id"
    /// Device-tree `model`, else DMI `product_name`, else the machine type from uname.
    case model
    case hostname
    case kernel
    case agentVersion = "agent_version"
}

/// How to cut one value out of a file or command output: a pattern (its first group, or the
/// whole match), a JSON path, or, with neither, the whole text trimmed. Integers may be hex.
package struct Extraction: Sendable, Hashable {
    package var pattern: TextPattern?
    package var jsonPath: JSONPath?
    /// 10, or 16 for hex values such as `get_throttled`'s `50005`.
    package var radix: Int

    package init(pattern: TextPattern? = nil, jsonPath: JSONPath? = nil, radix: Int = 10) {
        self.pattern = pattern
        self.jsonPath = jsonPath
        self.radix = radix
    }
}

/// A command to run: argv (no shell), a time-out after which its process group is killed, and a
/// cap on the output kept.
package struct CommandSpec: Sendable, Hashable {
    package var argv: [String]
    package var timeout: Duration
    package var maxOutput: Int

    package init(argv: [String], timeout: Duration = .seconds(10), maxOutput: Int = 64 << 10) {
        self.argv = argv
        self.timeout = timeout
        self.maxOutput = maxOutput
    }
}

/// A simulated signal: `mean + swing·sin(2πt/period) + walk + noise`, clamped to the limits.
/// The random parts come from a generator seeded by the profile seed and the sensor name, so a
/// run with the same seed and the same sample times gives the same values.
package struct SimulatedSignal: Sendable, Hashable {
    package var mean: Double
    /// Amplitude of the slow periodic swing (a day's temperature cycle, compressed).
    package var swing: Double
    package var period: Duration
    /// Standard deviation of the per-sample noise.
    package var noise: Double
    /// Standard deviation of each random-walk step; the walk is pulled back toward zero.
    package var walk: Double
    package var minimum: Double
    package var maximum: Double

    package init(
        mean: Double, swing: Double = 0, period: Duration = .seconds(600), noise: Double = 0, walk: Double = 0,
        minimum: Double = -.infinity, maximum: Double = .infinity
    ) {
        self.mean = mean
        self.swing = swing
        self.period = period
        self.noise = noise
        self.walk = walk
        self.minimum = minimum
        self.maximum = maximum
    }
}
