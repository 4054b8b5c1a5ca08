extension XMLElement {
    /// Appends the element as UTF-8 XML to `buffer`: the send path's allocation-free form.
    ///
    /// `inheritedNamespace` is the default namespace in scope where the element is written: the
    /// stream's content namespace (`jabber:client`) for a stanza, or `nil` for a standalone
    /// fragment. `xmlns` is written only where an element's namespace differs from the one in
    /// scope. Elements in the stream namespace are written with the `stream:` prefix; when
    /// `inheritedNamespace` is non-nil the stream header is taken to have bound that prefix,
    /// otherwise the element declares it.
    ///
    /// Attributes are single-quoted. Characters XML 1.0 cannot carry at all (C0 controls other
    /// than TAB, LF, CR; U+FFFE, U+FFFF) are written as U+FFFD, so a stray control character in
    /// a sensor name cannot make the server drop the stream.
    package func serialize(into buffer: inout [UInt8], inheritedNamespace: String? = nil) {
        let scope = XMLWriter.Scope(defaultNamespace: inheritedNamespace ?? "", streamPrefixBound: inheritedNamespace != nil)
        XMLWriter.write(self, into: &buffer, scope: scope)
    }

    /// The element as an XML string; see `serialize(into:inheritedNamespace:)`.
    package func serialized(inheritedNamespace: String? = nil) -> String {
        var buffer = [UInt8]()
        serialize(into: &buffer, inheritedNamespace: inheritedNamespace)
        return String(decoding: buffer, as: UTF8.self)
    }
}

/// The serializer, on UTF-8 bytes.
enum XMLWriter {
    struct Scope {
        var defaultNamespace: String
        var streamPrefixBound: Bool
    }

    static func write(_ element: XMLElement, into out: inout [UInt8], scope: Scope) {
        let prefixed = element.namespace == XMLNamespace.streams
        out.append(UInt8(ascii: "<"))
        if prefixed { appendLiteral("stream:", to: &out) }
        out.append(contentsOf: element.name.utf8)
        var inner = scope
        if prefixed {
            if !scope.streamPrefixBound {
                write(XMLAttribute("xmlns:stream", XMLNamespace.streams), into: &out)
                inner.streamPrefixBound = true
            }
        } else if let namespace = element.namespace, namespace != scope.defaultNamespace {
            write(XMLAttribute("xmlns", namespace), into: &out)
            inner.defaultNamespace = namespace
        }
        for attribute in element.attributes {
            write(attribute, into: &out)
        }
        if element.children.isEmpty {
            appendLiteral("/>", to: &out)
            return
        }
        out.append(UInt8(ascii: ">"))
        for child in element.children {
            switch child {
            case .text(let text): appendEscaped(text, inAttribute: false, to: &out)
            case .element(let child): write(child, into: &out, scope: inner)
            }
        }
        appendLiteral("</", to: &out)
        if prefixed { appendLiteral("stream:", to: &out) }
        out.append(contentsOf: element.name.utf8)
        out.append(UInt8(ascii: ">"))
    }

    /// ` name='value'`
    static func write(_ attribute: XMLAttribute, into out: inout [UInt8]) {
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: attribute.name.utf8)
        appendLiteral("='", to: &out)
        appendEscaped(attribute.value, inAttribute: true, to: &out)
        out.append(UInt8(ascii: "'"))
    }

    /// Escapes `&`, `<`, `>` everywhere, and CR so that line-end normalisation cannot turn it
    /// into LF. In attributes also both quotes, TAB and LF, which attribute-value normalisation
    /// would otherwise turn into spaces (XML 1.0 §3.3.3).
    static func appendEscaped(_ string: String, inAttribute: Bool, to out: inout [UInt8]) {
        let done: Void? = string.utf8.withContiguousStorageIfAvailable { bytes in
            appendEscaped(bytes, inAttribute: inAttribute, to: &out)
        }
        if done == nil {
            Array(string.utf8).withUnsafeBufferPointer { appendEscaped($0, inAttribute: inAttribute, to: &out) }
        }
    }

    private static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, inAttribute: Bool, to out: inout [UInt8]) {
        var runStart = 0
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            // Bytes above '>' other than 0xEF (lead byte of U+FFFE/U+FFFF) never need work.
            if byte > 0x3E && byte != 0xEF {
                i += 1
                continue
            }
            let (replacement, width) = escapeFor(bytes, at: i, inAttribute: inAttribute)
            guard let replacement else {
                i += 1
                continue
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
            appendLiteral(replacement, to: &out)
            i += width
            runStart = i
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
    }

    /// What to write for the byte at `i`, and how many input bytes it replaces; nil to copy it.
    private static func escapeFor(
        _ bytes: UnsafeBufferPointer<UInt8>, at i: Int, inAttribute: Bool
    ) -> (StaticString?, Int) {
        switch bytes[i] {
        case UInt8(ascii: "&"): return ("&amp;", 1)
        case UInt8(ascii: "<"): return ("&lt;", 1)
        case UInt8(ascii: ">"): return ("&gt;", 1)
        case UInt8(ascii: "\r"): return ("&#xD;", 1)
        case UInt8(ascii: "'"): return (inAttribute ? "&apos;" : nil, 1)
        case UInt8(ascii: "\""): return (inAttribute ? "&quot;" : nil, 1)
        case UInt8(ascii: "\t"): return (inAttribute ? "&#x9;" : nil, 1)
        case UInt8(ascii: "\n"): return (inAttribute ? "&#xA;" : nil, 1)
        case 0x00...0x1F: return ("\u{FFFD}", 1)
        case 0xEF:
            // U+FFFE and U+FFFF are EF BF BE and EF BF BF; the string is valid UTF-8, so both follow.
            if i + 2 < bytes.count, bytes[i + 1] == 0xBF, bytes[i + 2] >= 0xBE { return ("\u{FFFD}", 3) }
            return (nil, 1)
        default: return (nil, 1)
        }
    }

    static func appendLiteral(_ literal: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }
}
