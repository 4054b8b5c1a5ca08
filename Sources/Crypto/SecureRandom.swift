internal import CMbedTLS
import Glibc

/// Random bytes from the kernel CSPRNG (getrandom(2)), for SCRAM nonces and anything else
/// that must not be guessed. The TLS sessions draw from the same source.
package enum SecureRandom {
    /// `count` random bytes.
    package static func bytes(_ count: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: count)
        result.withUnsafeMutableBytes { fill($0) }
        return result
    }

    /// Overwrites `buffer` with random bytes.
    ///
    /// getrandom(2) blocks only until the kernel pool is first initialised at boot and does not
    /// otherwise fail on Linux 3.17 or later; a failure here means a kernel too old to run
    /// Kinglet safely, so it traps rather than hand out predictable bytes.
    package static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        let status = kinglet_fill_random(base.assumingMemoryBound(to: UInt8.self), buffer.count)
        if status != 0 {
            fatalError("getrandom(2) failed: \(String(cString: strerror(status)))")
        }
    }
}
