/// SASLprep (RFC 4013) for user names and passwords, "lite": everything except Unicode
/// normalisation tables, which would need ICU (Kinglet ships no Foundation).
///
/// What it does:
/// - ASCII text without control characters passes unchanged (SASLprep is the identity on it:
///   the common case by far).
/// - Maps non-ASCII spaces (RFC 3454 C.1.2) to U+0020 and removes the "commonly mapped to
///   nothing" characters (B.1: soft hyphen, zero-width joiners, variation selectors...).
/// - Rejects the prohibited characters (C.2 to C.9: controls, private use, non-characters,
///   bidi and tagging characters).
/// - NFKC: instead of normalising, rejects characters that NFKC would change (fullwidth
///   forms, ligatures, circled or superscript digits, Kelvin/Ångström signs...), found with the
///   stdlib's `changesWhenNFKCCaseFolded` property plus a short table for the case-unstable
///   ones. Sending them unnormalised would fail later as a puzzling `not-authorized`; refusing
///   up front says what to change. Input is assumed to be NFC already, which is what Linux
///   editors write; decomposed accents are not composed.
/// - The bidi rule (RFC 3454 §6) is not checked: a server would not have accepted such a
///   password when it was set.
///
/// Errors name the field and the rule, never the text.
enum SASLprep {
    static func prepare(_ text: String, field: String) throws(SASLError) -> String {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            return text
        }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if mappedToNothing(v) { continue }
            if nonASCIISpace(v) {
                out.append(" ")
                continue
            }
            if let rule = prohibited(scalar) {
                throw .unusableCredentials("the \(field) contains \(rule), which SASLprep prohibits")
            }
            if changedByNFKC(scalar) {
                throw .unusableCredentials(
                    "the \(field) contains a compatibility character (U+\(String(v, radix: 16, uppercase: true))) "
                        + "that needs Unicode NFKC normalisation, which Kinglet does not implement; "
                        + "write it in its plain form")
            }
            out.append(scalar)
        }
        return String(out)
    }

    /// RFC 3454 B.1.
    private static func mappedToNothing(_ v: UInt32) -> Bool {
        switch v {
        case 0x00AD, 0x034F, 0x1806, 0x180B...0x180D, 0x200B...0x200D, 0x2060, 0xFE00...0xFE0F, 0xFEFF: true
        default: false
        }
    }

    /// RFC 3454 C.1.2.
    private static func nonASCIISpace(_ v: UInt32) -> Bool {
        switch v {
        case 0x00A0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    /// The RFC 3454 table that prohibits `scalar`, described for an error message, or nil.
    private static func prohibited(_ scalar: Unicode.Scalar) -> String? {
        let v = scalar.value
        switch v {
        case 0x00...0x1F, 0x7F, 0x80...0x9F, 0x06DD, 0x070F, 0x180E, 0x2028, 0x2029, 0x2061...0x2063,
            0xFFF9...0xFFFC, 0x1D173...0x1D17A:
            return "a control character"
        case 0xE000...0xF8FF, 0xF0000...0xFFFFD, 0x100000...0x10FFFD:
            return "a private-use character"
        case 0xFDD0...0xFDEF:
            return "a non-character code point"
        case 0xFFFD:
            return "a replacement character"
        case 0x2FF0...0x2FFB:
            return "an ideographic description character"
        case 0x0340, 0x0341, 0x200E, 0x200F, 0x202A...0x202E, 0x206A...0x206F:
            return "a directional or deprecated formatting character"
        case 0xE0001, 0xE0020...0xE007F:
            return "a tagging character"
        default:
            // U+nFFFE and U+nFFFF in every plane (C.4).
            return v & 0xFFFE == 0xFFFE ? "a non-character code point" : nil
        }
    }

    /// Whether NFKC would change `scalar`.
    ///
    /// For a scalar that case folding leaves alone, NFKC_Casefold(x) == NFKC(x) when NFKC(x)
    /// == x, so `changesWhenNFKCCaseFolded` answers exactly. For one that case folding changes
    /// (an upper-case letter), the same test runs on its lower-case form; the table catches the
    /// few compatibility characters that are case-unstable even in lower case. Compared with
    /// Python's `unicodedata.normalize("NFKC")` over planes 0 to 2, this misses nothing and
    /// over-flags only default-ignorable fillers and joiners (NFKC_Casefold drops them).
    private static func changedByNFKC(_ scalar: Unicode.Scalar) -> Bool {
        if caseUnstableCompatibility(scalar.value) { return true }
        let forms = scalar.properties.changesWhenCaseFolded
            ? Array(scalar.properties.lowercaseMapping.unicodeScalars) : [scalar]
        return forms.contains { !$0.properties.changesWhenCaseFolded && $0.properties.changesWhenNFKCCaseFolded }
    }

    /// Micro sign, ligatures (Latin and Armenian), long s, digraphs, Greek symbol variants and
    /// the canonical singletons (Kelvin, Ångström, Ohm signs).
    private static func caseUnstableCompatibility(_ v: UInt32) -> Bool {
        switch v {
        case 0x00B5, 0x0132, 0x0133, 0x013F, 0x0140, 0x0149, 0x017F, 0x01C4...0x01CC, 0x01F1...0x01F3,
            0x03D0...0x03D6, 0x03F0...0x03F2, 0x03F4, 0x03F5, 0x03F9, 0x0587, 0x1E9A, 0x1E9B, 0x1FBE,
            0x2126, 0x212A, 0x212B, 0xFB00...0xFB06, 0xFB13...0xFB17:
            true
        default: false
        }
    }
}
