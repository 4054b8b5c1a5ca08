import Glibc

/// Turning what libxml2 hands to SAX callbacks into Swift strings.
enum LibXML2Strings {
    /// Decodes an attribute value as libxml2 hands it over.
    ///
    /// With entity substitution off (as it must be: RFC 6120 §11.1 and XXE), libxml2's
    /// `xmlParseAttValueInternal` decodes every character reference and predefined entity
    /// itself, except one that yields `&` (from `&amp;`, `&#38;` or `&#x26;`): that it writes
    /// as the five bytes `&#38;`, for its tree builder to decode later (libxml2 parser.c, in
    /// 2.9 and in 2.14 alike; libstrophe issue #257 is this bug). A literal `&` cannot otherwise
    /// reach the value, since a bare `&` is not well-formed, so every `&` here starts `&#38;`
    /// and decoding exactly that sequence, left to right without rescanning, restores the
    /// value. `XML_PARSE_NOENT` would also fix it, but turns on entity substitution. The tests
    /// pin this with `&amp;amp;` → `&amp;` and `&#38;#38;` → `&#38;`.
    static func attributeValue(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard bytes.contains(UInt8(ascii: "&")) else {
            return String(decoding: bytes, as: UTF8.self)
        }
        let escaped: [UInt8] = Array("&#38;".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            out.append(bytes[i])
            if bytes[i] == UInt8(ascii: "&"), i + escaped.count <= bytes.count,
                bytes[i..<i + escaped.count].elementsEqual(escaped)
            {
                i += escaped.count
            } else {
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The first line of a libxml2 message: later lines of some messages quote input bytes.
    static func firstLine(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "libxml2 reported an error" }
        let text = String(cString: message)
        return text.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? text
    }
}

/// Swift strings for libxml2's interned names (element and attribute names, prefixes,
/// namespace URIs). Names that fit a small string (15 bytes) are decoded directly, which
/// allocates nothing. Longer ones, mostly namespace URIs, are decoded once per stream and
/// looked up by their address in the context's dictionary; an entry is compared with the bytes
/// before use, so a recycled address can cost a miss but never give a wrong name.
struct NameCache {
    private var strings: [UnsafeRawPointer: String] = [:]

    mutating func string(_ pointer: UnsafePointer<UInt8>) -> String {
        let length = strlen(UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
        let bytes = UnsafeBufferPointer(start: pointer, count: length)
        if length < 16 {
            return String(decoding: bytes, as: UTF8.self)
        }
        if var cached = strings[UnsafeRawPointer(pointer)] {
            if cached.withUTF8({ $0.count == length && memcmp($0.baseAddress!, pointer, length) == 0 }) {
                return cached
            }
        }
        let string = String(decoding: bytes, as: UTF8.self)
        strings[UnsafeRawPointer(pointer)] = string
        return string
    }
}
