import Crypto
import XMPPCore

/// The client side of SCRAM against a hostile server: its server-first message (nonce, salt,
/// iteration count, extensions) and its server-final message (`v=` or `e=`).
///
/// Input: one byte (bit 0: SHA-256 rather than SHA-1), the server-first message up to the
/// first zero byte, then the server-final message. Iterations are bounded to 1...64 here (the
/// agent takes 4096 to a million) so that each input costs microseconds, not PBKDF2 seconds.
enum SCRAMFuzz: FuzzTarget {
    static let name = "scram"

    static func run(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        let digest: Digest = input.byte() & 1 == 0 ? .sha1 : .sha256
        let rest = input.rest()
        let split = rest.firstIndex(of: 0) ?? rest.count
        let serverFirst = Array(rest[..<split])
        let serverFinal = split < rest.count ? Array(rest[(split + 1)...]) : []
        var client = try! SCRAMClient(
            digest: digest, username: "user", password: "pencil", clientNonce: "fyko+d2lbbFgONRv9qkxdawL",
            iterationBounds: 1...64)
        guard (try? client.clientFinalMessage(serverFirst: serverFirst)) != nil else { return }
        do throws(SASLError) {
            try client.verifyServerFinal(serverFinal)
            precondition(client.isVerified, "verified without being verified")
        } catch {
            precondition(!client.isVerified, "failed (\(error)) yet verified")
        }
    }
}
