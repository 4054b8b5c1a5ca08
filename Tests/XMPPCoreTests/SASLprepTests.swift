import Testing
@testable import XMPPCore

/// Swift refuses non-characters in string literals, so tests build them from code points.
func scalar(_ value: UInt32) -> String {
    String(Character(Unicode.Scalar(value)!))
}

struct SASLprepTests {
    /// RFC 4013 §3 examples that SASLprep-lite reproduces, plus mapping cases.
    @Test(arguments: [
        ("user", "user"),
        ("USER", "USER"),
        ("I\u{00AD}X", "IX"),
        ("pass\u{00A0}word", "pass word"),
        ("pass\u{3000}word", "pass word"),
        ("zero\u{200B}width", "zerowidth"),
        ("Grüße, Ärger", "Grüße, Ärger"),
        ("пароль", "пароль"),
        ("密码", "密码"),
        ("ς σ Σ", "ς σ Σ"),
    ])
    func prepares(input: String, output: String) throws {
        #expect(try SASLprep.prepare(input, field: "password") == output)
    }

    @Test(arguments: [
        ("bell\u{0007}", "a control character"),
        ("tab\there", "a control character"),
        ("\u{0085}", "a control character"),
        ("\u{E000}", "a private-use character"),
        (scalar(0xFDD0), "a non-character code point"),
        (scalar(0x1FFFE), "a non-character code point"),
        ("\u{202E}evil", "a directional or deprecated formatting character"),
        ("\u{E0041}", "a tagging character"),
    ])
    func rejectsProhibitedCharacters(input: String, rule: String) {
        #expect(throws: SASLError.unusableCredentials("the password contains \(rule), which SASLprep prohibits")) {
            try SASLprep.prepare(input, field: "password")
        }
    }

    /// RFC 4013 maps these with NFKC (`ª` to `a`, `Ⅸ` to `IX`); without the tables Kinglet
    /// refuses them with a message instead of sending something the server will not match.
    @Test(arguments: ["\u{00AA}", "\u{2168}", "\u{FF21}", "\u{FB01}", "\u{00B2}", "\u{212A}", "\u{00B5}", "\u{2460}"])
    func refusesWhatNeedsNFKC(input: String) {
        #expect(throws: SASLError.self) { try SASLprep.prepare("x" + input, field: "password") }
        do {
            _ = try SASLprep.prepare("x" + input, field: "password")
        } catch {
            #expect(error.description.contains("compatibility character"))
            // Compare scalars: String.contains matches U+212A KELVIN SIGN to the K of "Kinglet".
            #expect(!error.description.unicodeScalars.contains(input.unicodeScalars.first!))
        }
    }
}
