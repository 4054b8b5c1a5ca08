package import XMLStream

/// What a `<stream:features/>` element offers, as far as the client negotiation cares.
package struct StreamFeatures: Sendable, Hashable {
    package var startTLS = false
    package var startTLSRequired = false
    package var mechanisms: [String]?
    package var bind = false
    /// Legacy RFC 3921 session establishment that the server marks as not optional.
    package var sessionRequired = false
    package var streamManagement = false
    package var rosterVersioning = false
    package var preApproval = false

    package init() {}

    package init?(_ element: XMLElement) {
        guard element.name == "features", element.namespace == Namespace.streams else { return nil }
        if let tls = element.child("starttls", namespace: Namespace.tls) {
            startTLS = true
            startTLSRequired = tls.child("required", namespace: Namespace.tls) != nil
        }
        mechanisms = element.child("mechanisms", namespace: Namespace.sasl)?
            .children("mechanism", namespace: Namespace.sasl).map(\.text)
        bind = element.child("bind", namespace: Namespace.bind) != nil
        if let session = element.child("session", namespace: Namespace.session) {
            sessionRequired = session.child("optional", namespace: Namespace.session) == nil
        }
        streamManagement = element.child("sm", namespace: Namespace.streamManagement) != nil
        rosterVersioning = element.child("ver", namespace: "urn:xmpp:features:rosterver") != nil
        preApproval = element.child("sub", namespace: "urn:xmpp:features:pre-approval") != nil
    }
}
