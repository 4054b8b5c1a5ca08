package import XMLStream

/// A `<stream:error/>` received from the server (RFC 6120 §4.9).
package struct StreamError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The condition's element name, e.g. `conflict`, `system-shutdown`, `see-other-host`.
    package var condition: String
    package var text: String?
    /// For `see-other-host`: the host and optional port to use instead.
    package var otherHost: String?

    package init(condition: String, text: String? = nil, otherHost: String? = nil) {
        self.condition = condition
        self.text = text
        self.otherHost = otherHost
    }

    /// Reads a `<stream:error/>` element; nil for anything else.
    package init?(_ element: XMLElement) {
        guard element.name == "error", element.namespace == Namespace.streams else { return nil }
        let first = element.elements.first { $0.namespace == Namespace.streamErrors && $0.name != "text" }
        condition = first?.name ?? "undefined-condition"
        text = element.child("text", namespace: Namespace.streamErrors)?.text
        otherHost = condition == "see-other-host" ? first?.text : nil
    }

    /// Conditions that reconnecting soon cannot fix: another client took our resource, our
    /// credentials or policy are refused. They get the long back-off, not a tight loop.
    package var retryingSoonIsPointless: Bool {
        ["conflict", "not-authorized", "policy-violation", "host-unknown", "invalid-from", "improper-addressing"]
            .contains(condition)
    }

    package var description: String {
        condition + (text.map { " (\($0))" } ?? "") + (otherHost.map { " -> \($0)" } ?? "")
    }
}
