/// A credential held in memory. It prints as `<redacted>` everywhere (string interpolation,
/// `print`, debug dumps), so a stray log line cannot leak it; code that must use it asks for
/// `revealed` by name.
package struct Secret: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    private let value: String

    package init(_ value: String) {
        self.value = value
    }

    /// The secret itself: only for the SASL mechanism that needs it.
    package var revealed: String { value }

    package var isEmpty: Bool { value.isEmpty }

    package var description: String { "<redacted>" }
    package var debugDescription: String { "<redacted>" }
}
