internal import CMbedTLS

/// The hash functions XMPP needs: SHA-1 (SCRAM-SHA-1, XEP-0115 caps) and SHA-256
/// (SCRAM-SHA-256, key pins), with HMAC and PBKDF2 over each.
///
/// These calls cannot fail on valid input except by running out of memory, which traps in
/// Swift anyway; so they do not throw, and an mbedTLS failure is a precondition failure.
package enum Digest: Sendable, Hashable, CaseIterable {
    case sha1
    case sha256

    /// Length of the digest in bytes: 20 or 32.
    package var byteCount: Int {
        switch self {
        case .sha1: 20
        case .sha256: 32
        }
    }

    /// The name used in logs and in SCRAM mechanism names: `SHA-1`, `SHA-256`.
    package var name: String {
        switch self {
        case .sha1: "SHA-1"
        case .sha256: "SHA-256"
        }
    }

    /// The digest of `data`.
    package func hash(_ data: some Sequence<UInt8>) -> [UInt8] {
        let info = mdInfo
        return output { out in
            withBytes(data) { input in
                mbedtls_md(info, input.base, input.count, out)
            }
        }
    }

    /// HMAC (RFC 2104) of `message` under `key`.
    package func hmac(key: some Sequence<UInt8>, _ message: some Sequence<UInt8>) -> [UInt8] {
        let info = mdInfo
        return output { out in
            withBytes(key) { key in
                withBytes(message) { message in
                    mbedtls_md_hmac(info, key.base, key.count, message.base, message.count, out)
                }
            }
        }
    }

    /// PBKDF2 (RFC 8018) with HMAC over this digest: `byteCount` bytes derived from
    /// `password` and `salt` in `iterations` rounds.
    package func pbkdf2(
        password: some Sequence<UInt8>, salt: some Sequence<UInt8>, iterations: Int, byteCount: Int
    ) -> [UInt8] {
        precondition(iterations > 0 && iterations <= Int(UInt32.max), "PBKDF2 iteration count out of range")
        precondition(byteCount > 0 && byteCount <= Int(UInt32.max), "PBKDF2 output length out of range")
        var context = mbedtls_md_context_t()
        mbedtls_md_init(&context)
        defer { mbedtls_md_free(&context) }
        check(mbedtls_md_setup(&context, mdInfo, 1))
        var result = [UInt8](repeating: 0, count: byteCount)
        let status = result.withUnsafeMutableBufferPointer { out in
            withBytes(password) { password in
                withBytes(salt) { salt in
                    mbedtls_pkcs5_pbkdf2_hmac(
                        &context, password.base, password.count, salt.base, salt.count,
                        UInt32(iterations), UInt32(byteCount), out.baseAddress)
                }
            }
        }
        check(status)
        return result
    }

    private var mdInfo: OpaquePointer? {
        // mbedtls_md_info_t is opaque, so Swift sees these as OpaquePointer.
        switch self {
        case .sha1: mbedtls_md_info_from_type(MBEDTLS_MD_SHA1)
        case .sha256: mbedtls_md_info_from_type(MBEDTLS_MD_SHA256)
        }
    }

    private func output(_ body: (UnsafeMutablePointer<UInt8>) -> Int32) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: byteCount)
        let status = result.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
        check(status)
        return result
    }

    private func check(_ status: Int32) {
        precondition(status == 0, "mbedTLS \(name) failed: \(TLSError.text(for: status))")
    }
}

/// A byte region with a base address that is never nil, even when empty: mbedTLS's
/// argument checks (when compiled in) reject a NULL pointer even with length 0.
struct ByteRegion {
    let base: UnsafePointer<UInt8>
    let count: Int
}

/// Runs `body` over the bytes of `data` without copying when they are already contiguous
/// (arrays, native strings' UTF-8 views).
func withBytes<R>(_ data: some Sequence<UInt8>, _ body: (ByteRegion) -> R) -> R {
    func run(_ buffer: UnsafeBufferPointer<UInt8>) -> R {
        if let base = buffer.baseAddress {
            return body(ByteRegion(base: base, count: buffer.count))
        }
        var empty: UInt8 = 0
        return withUnsafePointer(to: &empty) { body(ByteRegion(base: $0, count: 0)) }
    }
    if let result = data.withContiguousStorageIfAvailable(run) {
        return result
    }
    return Array(data).withUnsafeBufferPointer(run)
}
