/// Why an incoming stream had to be abandoned. Each case names the RFC 6120 §4.9.3 stream
/// error condition to send before closing.
package struct XMLStreamError: Error, Sendable, Hashable, CustomStringConvertible {
    package enum Condition: String, Sendable, Hashable {
        /// Not well-formed XML or XML namespaces, or not UTF-8.
        case notWellFormed = "not-well-formed"
        /// A DTD, comment, processing instruction or entity reference (RFC 6120 §11.1).
        case restrictedXML = "restricted-xml"
        /// A stanza over the size limit or elements nested over the depth limit.
        case policyViolation = "policy-violation"
        /// The root is not `stream` in `http://etherx.jabber.org/streams`.
        case invalidNamespace = "invalid-namespace"
    }

    package let condition: Condition
    /// What was being done: `parse` for input, `create parser` when libxml2 could not start.
    package let operation: String
    /// The libxml2 error number (`xmlParserErrors`), or 0 for a check Kinglet made itself.
    package let code: Int32
    /// A short explanation. Never contains character data or attribute values from the stream.
    package let message: String

    package init(_ condition: Condition, operation: String = "parse", code: Int32 = 0, message: String) {
        self.condition = condition
        self.operation = operation
        self.code = code
        self.message = message
    }

    package var description: String {
        "\(operation): \(condition.rawValue): \(message)" + (code != 0 ? " (libxml2 error \(code))" : "")
    }
}
