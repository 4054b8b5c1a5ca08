/// The namespaces of RFC 6120/6121 and the core XEPs the session itself speaks. Namespaces of
/// the other XEPs live with their code in the XEPs module.
package enum Namespace {
    package static let client = "jabber:client"
    package static let streams = "http://etherx.jabber.org/streams"
    package static let streamErrors = "urn:ietf:params:xml:ns:xmpp-streams"
    package static let stanzaErrors = "urn:ietf:params:xml:ns:xmpp-stanzas"
    package static let tls = "urn:ietf:params:xml:ns:xmpp-tls"
    package static let sasl = "urn:ietf:params:xml:ns:xmpp-sasl"
    package static let bind = "urn:ietf:params:xml:ns:xmpp-bind"
    package static let session = "urn:ietf:params:xml:ns:xmpp-session"
    package static let streamManagement = "urn:xmpp:sm:3"
    package static let roster = "jabber:iq:roster"
    package static let ping = "urn:xmpp:ping"
    package static let delay = "urn:xmpp:delay"
}
