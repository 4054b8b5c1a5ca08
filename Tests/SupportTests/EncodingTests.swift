import Support
import Testing

/// RFC 4648 §10 vectors, and the strictness SASL needs: a malformed challenge is refused, not
/// half-decoded.
@Test(arguments: [
    ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
    ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
])
func base64FollowsRFC4648(plain: String, encoded: String) {
    #expect(Base64.encode(Array(plain.utf8)) == encoded)
    #expect(Base64.decode(encoded) == Array(plain.utf8))
}

@Test(arguments: ["Zg", "Zg=", "Z===", "Zm9v\n", "Zm 9v", "Zg==Zg==", "Zm=v", "Zm9*"])
func base64RefusesWhatIsNotStrictlyValid(text: String) {
    #expect(Base64.decode(text) == nil)
}

@Test func base64CarriesEveryByteValue() {
    let bytes = (0...255).map { UInt8($0) }
    #expect(Base64.decode(Base64.encode(bytes)) == bytes)
}

@Test func hexRoundTripsAndAcceptsColonsAndEitherCase() {
    #expect(Hex.encode([0x00, 0xAB, 0xff]) == "00abff")
    #expect(Hex.decode("00:AB:ff") == [0x00, 0xAB, 0xFF])
    #expect(Hex.decode("abc") == nil)
    #expect(Hex.decode("zz") == nil)
}

@Test func aSecretNeverPrints() {
    let secret = Secret("hunter2")
    #expect("\(secret)" == "<redacted>")
    #expect(String(reflecting: secret) == "<redacted>")
    #expect("\([secret])".contains("hunter2") == false)
    #expect(secret.revealed == "hunter2")
}
