package import XMLStream

/// An RFC 6120 §8.3 stanza error: what goes inside `<error/>` of an error reply.
package struct StanzaError: Error, Sendable, Hashable, CustomStringConvertible {
    package enum Kind: String, Sendable, Hashable {
        case auth, cancel, `continue`, modify, wait
    }

    /// The defined conditions. The raw value is the element name.
    package enum Condition: String, Sendable, Hashable, CaseIterable {
        case badRequest = "bad-request", conflict, featureNotImplemented = "feature-not-implemented", forbidden, gone
        case internalServerError = "internal-server-error", itemNotFound = "item-not-found"
        case jidMalformed = "jid-malformed", notAcceptable = "not-acceptable", notAllowed = "not-allowed"
        case notAuthorized = "not-authorized", policyViolation = "policy-violation"
        case recipientUnavailable = "recipient-unavailable", redirect
        case registrationRequired = "registration-required", remoteServerNotFound = "remote-server-not-found"
        case remoteServerTimeout = "remote-server-timeout", resourceConstraint = "resource-constraint"
        case serviceUnavailable = "service-unavailable", subscriptionRequired = "subscription-required"
        case undefinedCondition = "undefined-condition", unexpectedRequest = "unexpected-request"

        /// The error type RFC 6120 §8.3.3 gives as typical for the condition.
        package var defaultKind: Kind {
            switch self {
            case .badRequest, .jidMalformed, .notAcceptable, .policyViolation, .redirect, .gone: .modify
            case .notAuthorized, .forbidden, .registrationRequired, .subscriptionRequired: .auth
            case .resourceConstraint, .recipientUnavailable, .remoteServerTimeout, .internalServerError,
                .unexpectedRequest:
                .wait
            default: .cancel
            }
        }
    }

    package var kind: Kind
    package var condition: Condition
    package var text: String?
    /// An application-specific child (e.g. XEP-0325 `<paramError/>`, XEP-0050 `<bad-action/>`).
    package var application: XMLElement?

    package init(_ condition: Condition, kind: Kind? = nil, text: String? = nil, application: XMLElement? = nil) {
        self.condition = condition
        self.kind = kind ?? condition.defaultKind
        self.text = text
        self.application = application
    }

    /// Reads the `<error/>` child of an error stanza; unknown conditions become
    /// `undefined-condition`.
    package init?(stanza: XMLElement) {
        guard let error = stanza.child("error") else { return nil }
        let condition = error.elements.lazy.filter { $0.namespace == Namespace.stanzaErrors && $0.name != "text" }
            .compactMap { Condition(rawValue: $0.name) }.first ?? .undefinedCondition
        self.init(
            condition, kind: error.attribute("type").flatMap(Kind.init(rawValue:)),
            text: error.child("text", namespace: Namespace.stanzaErrors)?.text,
            application: error.elements.first { $0.namespace != Namespace.stanzaErrors })
    }

    /// The `<error/>` element.
    package var element: XMLElement {
        XMLElement("error", namespace: Namespace.client, attributes: ["type": kind.rawValue]) {
            XMLElement(condition.rawValue, namespace: Namespace.stanzaErrors)
            if let text {
                XMLElement("text", namespace: Namespace.stanzaErrors, attributes: ["xml:lang": "en"], text: text)
            }
            if let application { application }
        }
    }

    package var description: String {
        "\(condition.rawValue)" + (text.map { " (\($0))" } ?? "")
    }
}
