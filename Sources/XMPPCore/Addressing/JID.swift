/// An XMPP address per RFC 7622: `[local@]domain[/resource]`.
///
/// Parts are prepared when parsed, so two JIDs that mean the same address compare equal:
/// the local part is case-mapped (UsernameCaseMapped), the domain is lower-cased with one
/// trailing dot removed. The PRECIS rules are applied as far as the Swift standard library's
/// Unicode properties allow without tables of our own: letters, marks and decimal digits plus
/// printable ASCII are allowed in the local part, symbols, spaces, controls and compatibility
/// forms such as `Ⅳ` are not. Swift's `String` equality is canonical equivalence, which gives
/// the NFC comparison RFC 7622 asks for.
package struct JID: Sendable, Hashable, CustomStringConvertible {
    package let local: String?
    package let domain: String
    package let resource: String?

    /// Each part may hold at most this many octets of UTF-8 after preparation (RFC 7622 §3.1).
    package static let maximumPartLength = 1023

    package init(_ text: String) throws(JIDError) {
        // Everything after the first '/' is the resource, which may itself contain '/' and '@'.
        var rest = Substring(text)
        var resource: Substring?
        if let slash = rest.firstIndex(of: "/") {
            resource = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        var local: Substring?
        if let at = rest.firstIndex(of: "@") {
            local = rest[..<at]
            rest = rest[rest.index(after: at)...]
        }
        try self.init(local: local.map(String.init), domain: String(rest), resource: resource.map(String.init))
    }

    /// Builds a JID from parts, preparing and validating each.
    package init(local: String?, domain: String, resource: String? = nil) throws(JIDError) {
        self.local = try local.map { s throws(JIDError) in try JID.prepareLocal(s) }
        self.domain = try JID.prepareDomain(domain)
        self.resource = try resource.map { s throws(JIDError) in try JID.prepareResource(s) }
    }

    private init(preparedLocal: String?, domain: String, resource: String?) {
        self.local = preparedLocal
        self.domain = domain
        self.resource = resource
    }

    /// The JID without its resource.
    package var bare: JID { JID(preparedLocal: local, domain: domain, resource: nil) }

    /// The domain alone, as a JID (servers and services).
    package var domainJID: JID { JID(preparedLocal: nil, domain: domain, resource: nil) }

    package var isBare: Bool { resource == nil }

    /// This JID with another resource.
    package func with(resource: String) throws(JIDError) -> JID {
        JID(preparedLocal: local, domain: domain, resource: try JID.prepareResource(resource))
    }

    package var description: String {
        var text = ""
        if let local { text += local + "@" }
        text += domain
        if let resource { text += "/" + resource }
        return text
    }
}

/// Why a string is not a valid JID.
package struct JIDError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Part: String, Sendable { case local = "local part", domain = "domain", resource = "resource" }
    package let part: Part
    package let reason: String

    package var description: String { "invalid JID: \(part.rawValue) \(reason)" }
}

extension JID {
    static func prepareLocal(_ raw: String) throws(JIDError) -> String {
        let value = raw.lowercased()
        try checkLength(value, .local)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"", "&", "'", "/", ":", "<", ">", "@":
                throw JIDError(part: .local, reason: "may not contain '\(scalar)'")
            default:
                guard isIdentifierClass(scalar) else {
                    throw JIDError(part: .local, reason: "may not contain U+\(hex(scalar.value))")
                }
            }
        }
        return value
    }

    static func prepareDomain(_ raw: String) throws(JIDError) -> String {
        var value = raw.lowercased()
        if value.hasSuffix(".") && value.count > 1 { value.removeLast() }
        try checkLength(value, .domain)
        if value.hasPrefix("[") {
            guard value.hasSuffix("]"), value.count > 2,
                value.dropFirst().dropLast().allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." })
            else { throw JIDError(part: .domain, reason: "is not a valid IPv6 literal") }
            return value
        }
        for label in value.split(separator: ".", omittingEmptySubsequences: false) {
            guard !label.isEmpty else { throw JIDError(part: .domain, reason: "has an empty label") }
            guard label.utf8.count <= 63 else { throw JIDError(part: .domain, reason: "has a label longer than 63 octets") }
            for scalar in label.unicodeScalars where !(isIdentifierClass(scalar) && scalar != "@" && scalar != "/" && scalar != ":") {
                throw JIDError(part: .domain, reason: "may not contain U+\(hex(scalar.value))")
            }
        }
        return value
    }

    static func prepareResource(_ raw: String) throws(JIDError) -> String {
        // OpaqueString: any non-space separator maps to U+0020; controls are disallowed.
        var value = ""
        for scalar in raw.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .surrogate, .unassigned, .privateUse:
                throw JIDError(part: .resource, reason: "may not contain U+\(hex(scalar.value))")
            case .spaceSeparator:
                value.unicodeScalars.append(" ")
            default:
                value.unicodeScalars.append(scalar)
            }
        }
        try checkLength(value, .resource)
        return value
    }

    private static func checkLength(_ value: String, _ part: JIDError.Part) throws(JIDError) {
        if value.isEmpty { throw JIDError(part: part, reason: "is empty") }
        if value.utf8.count > maximumPartLength {
            throw JIDError(part: part, reason: "is longer than \(maximumPartLength) octets")
        }
    }

    /// PRECIS IdentifierClass, approximated with the standard library's general categories:
    /// printable ASCII, or a letter, combining mark or decimal digit.
    private static func isIdentifierClass(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value >= 0x21 && scalar.value <= 0x7E { return true }
        switch scalar.properties.generalCategory {
        case .lowercaseLetter, .uppercaseLetter, .otherLetter, .modifierLetter, .decimalNumber,
            .nonspacingMark, .spacingMark:
            return true
        default:
            return false
        }
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
