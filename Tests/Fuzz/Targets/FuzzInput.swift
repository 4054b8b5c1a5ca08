/// Reads a fuzzer's input front to back: a few small numbers that steer the target, then the
/// rest as data. Reading past the end gives zeros and empty data, never a trap, so every input
/// means something.
package struct FuzzInput {
    private let bytes: [UInt8]
    private var position = 0

    package init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    package var isAtEnd: Bool { position >= bytes.count }

    package mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    /// Two bytes, big-endian.
    package mutating func uint16() -> Int {
        Int(byte()) << 8 | Int(byte())
    }

    /// The next `count` bytes, or fewer at the end.
    package mutating func take(_ count: Int) -> [UInt8] {
        let end = min(bytes.count, position + max(0, count))
        defer { position = end }
        return Array(bytes[min(position, end)..<end])
    }

    /// Everything not read yet.
    package mutating func rest() -> [UInt8] {
        take(bytes.count - position)
    }
}
