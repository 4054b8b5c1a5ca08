import Crypto
import Support
import Testing

struct DigestTests {
    static let abc448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"

    /// FIPS 180-4 examples (and the empty message).
    @Test(arguments: [
        (Digest.sha1, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        (Digest.sha1, "", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        (Digest.sha1, abc448, "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
        (Digest.sha256, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (Digest.sha256, "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        (Digest.sha256, abc448, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func hash(digest: Digest, message: String, expected: String) {
        #expect(Hex.encode(digest.hash(message.utf8)) == expected)
        #expect(digest.hash(Array(message.utf8)).count == digest.byteCount)
    }

    @Test func hashOfNonContiguousSequence() {
        let million = repeatElement(UInt8(ascii: "a"), count: 1_000_000)
        #expect(Hex.encode(Digest.sha256.hash(million)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// RFC 4231 test cases 1, 2 and 6 (key longer than a block); RFC 2202 cases 1 and 2.
    @Test(arguments: [
        (Digest.sha256, [UInt8](repeating: 0x0b, count: 20), "Hi There",
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (Digest.sha256, Array("Jefe".utf8), "what do ya want for nothing?",
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        (Digest.sha256, [UInt8](repeating: 0xaa, count: 131), "Test Using Larger Than Block-Size Key - Hash Key First",
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        (Digest.sha1, [UInt8](repeating: 0x0b, count: 20), "Hi There", "b617318655057264e28bc0b6fb378c8ef146be00"),
        (Digest.sha1, Array("Jefe".utf8), "what do ya want for nothing?", "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
    ])
    func hmac(digest: Digest, key: [UInt8], message: String, expected: String) {
        #expect(Hex.encode(digest.hmac(key: key, message.utf8)) == expected)
    }

    /// RFC 6070 PBKDF2-HMAC-SHA1 (all but the 16,777,216-iteration case) and the RFC 7914 §11
    /// PBKDF2-HMAC-SHA256 vectors.
    @Test(arguments: [
        (Digest.sha1, "password", "salt", 1, 20, "0c60c80f961f0e71f3a9b524af6012062fe037a6"),
        (Digest.sha1, "password", "salt", 2, 20, "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"),
        (Digest.sha1, "password", "salt", 4096, 20, "4b007901b765489abead49d926f721d065a429c1"),
        (Digest.sha1, "passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 25,
         "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038"),
        (Digest.sha1, "pass\0word", "sa\0lt", 4096, 16, "56fa6aa75548099dcc37d7f03425e0c3"),
        (Digest.sha256, "passwd", "salt", 1, 64,
         "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
            + "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"),
        (Digest.sha256, "Password", "NaCl", 80000, 64,
         "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
            + "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d"),
    ])
    func pbkdf2(digest: Digest, password: String, salt: String, iterations: Int, length: Int, expected: String) {
        let key = digest.pbkdf2(password: password.utf8, salt: salt.utf8, iterations: iterations, byteCount: length)
        #expect(Hex.encode(key) == expected)
    }

    @Test func randomBytesDiffer() {
        let a = SecureRandom.bytes(32)
        let b = SecureRandom.bytes(32)
        #expect(a.count == 32)
        #expect(a != b)
        #expect(SecureRandom.bytes(0).isEmpty)
    }

    @Test func constantTimeEquals() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(ConstantTime.equals([], []))
    }
}
