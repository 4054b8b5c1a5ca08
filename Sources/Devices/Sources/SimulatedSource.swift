import Glibc
import Synchronization

/// A simulated sensor: `mean + swing·sin(2πt/period) + walk + noise`, clamped. Deterministic: the
/// generator is seeded from the profile seed and the sensor name, and the swing follows the
/// device's clock, so the same seed and sample times give the same values.
final class SimulatedSource: SensorSource {
    let signal: SimulatedSignal
    private struct State {
        var random: SplitMix64
        var walk = 0.0
    }
    private let state: Mutex<State>
    var blocking: Blocking { .never }

    init(signal: SimulatedSignal, seed: UInt64) {
        self.signal = signal
        self.state = Mutex(State(random: SplitMix64(seed: seed)))
    }

    func read(at time: Duration) throws(DeviceError) -> RawValue {
        let seconds = Double(time.components.seconds) + Double(time.components.attoseconds) / 1e18
        let period = Double(signal.period.components.seconds) + Double(signal.period.components.attoseconds) / 1e18
        let phase = period > 0 ? 2 * Double.pi * seconds / period : 0
        let (walk, noise) = state.withLock { s in
            // Pulled back toward zero so the walk wanders but never drifts off for good.
            s.walk = s.walk * 0.95 + s.random.nextGaussian() * signal.walk
            return (s.walk, s.random.nextGaussian() * signal.noise)
        }
        let value = signal.mean + signal.swing * sin(phase) + walk + noise
        return .number(min(signal.maximum, max(signal.minimum, value)))
    }
}

/// SplitMix64: a tiny, fast, well-mixed generator whose output is fixed by its seed, for the
/// simulator and for schedule jitter (tests depend on both being reproducible).
package struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    package init(seed: UInt64) { self.state = seed }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    package mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// Standard normal, by Box-Muller.
    package mutating func nextGaussian() -> Double {
        let u = max(nextUnit(), 1e-300)
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * nextUnit())
    }

    /// A seed derived from a base seed and a name (FNV-1a), stable across runs and platforms,
    /// unlike `Hasher`, which is randomised per process.
    package static func seed(_ base: UInt64, _ name: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01B3
        }
        return base ^ hash
    }
}
