/// The kinds of control a profile can declare; the raw values are the profile's `type` names.
package enum ControlType: String, Sendable, Hashable, CaseIterable {
    case boolean, int, double, string
    case enumeration = "enum"
    case color
}

/// A value for a control, as XEP-0325 parameters, chat commands and ad-hoc forms carry it.
package enum ControlValue: Sendable, Hashable, CustomStringConvertible {
    case boolean(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case enumeration(String)
    case color(Color)

    /// The value as text: `true`, `42`, `21.5`, `auto`, `FF8800`. What a chat reply shows and
    /// what a command output receives as its argument.
    package var description: String {
        switch self {
        case .boolean(let b): b ? "true" : "false"
        case .int(let i): String(i)
        case .double(let d): NumberFormat.shortest(d)
        case .string(let s), .enumeration(let s): s
        case .color(let c): c.hex
        }
    }
}

/// An RGB colour with an optional alpha, written `RRGGBB` or `RRGGBBAA` as XEP-0325 says.
package struct Color: Sendable, Hashable {
    package var red: UInt8
    package var green: UInt8
    package var blue: UInt8
    package var alpha: UInt8?

    package init(red: UInt8, green: UInt8, blue: UInt8, alpha: UInt8? = nil) {
        self.red = red
        self.green = green
        self.blue = blue
        self.alpha = alpha
    }

    /// Parses `RRGGBB` or `RRGGBBAA` (a leading `#` is accepted); nil otherwise.
    package init?(hex text: String) {
        var digits = Substring(text)
        if digits.first == "#" { digits = digits.dropFirst() }
        guard digits.count == 6 || digits.count == 8, digits.allSatisfy(\.isHexDigit) else { return nil }
        let bytes = stride(from: 0, to: digits.count, by: 2).map { offset -> UInt8 in
            let start = digits.index(digits.startIndex, offsetBy: offset)
            return UInt8(digits[start..<digits.index(start, offsetBy: 2)], radix: 16)!
        }
        self.init(red: bytes[0], green: bytes[1], blue: bytes[2], alpha: bytes.count == 4 ? bytes[3] : nil)
    }

    /// Upper-case `RRGGBB`, or `RRGGBBAA` when there is an alpha.
    package var hex: String {
        let digits = Array("0123456789ABCDEF")
        var out = ""
        for byte in [red, green, blue] + (alpha.map { [$0] } ?? []) {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return out
    }
}

/// Why a control was not applied. The parameter is always named so that XEP-0325 can answer with
/// a `paramError` for it and a chat reply can say which one.
package struct ControlError: Error, Sendable, Hashable, CustomStringConvertible {
    package enum Kind: Sendable, Hashable {
        /// No control has this name (XEP-0325 `item-not-found`).
        case unknownParameter
        /// Wrong type or outside the limits; nothing reached the hardware (`bad-request`).
        case invalidValue
        /// Another set of the same control is still running (`wait`/`conflict`).
        case busy
        /// The target refused or failed; the hardware may be in any state (`internal-server-error`).
        case failed
    }

    package let parameter: String
    package let kind: Kind
    package let message: String

    package init(_ parameter: String, _ kind: Kind, _ message: String) {
        self.parameter = parameter
        self.kind = kind
        self.message = message
    }

    package var description: String { "\(parameter): \(message)" }
}
