package import XMLStream
package import XMPPCore

/// XEP-0045 stanza shapes: the join presence, the instant-room configuration, and what an
/// occupant's presence from the room says.
package enum MUCXML {
    package static let namespace = "http://jabber.org/protocol/muc"
    package static let user = "http://jabber.org/protocol/muc#user"
    package static let owner = "http://jabber.org/protocol/muc#owner"

    /// `presence` (the device's own, with show, status and caps) addressed to `occupant`
    /// (room/nick) with the `<x xmlns='…muc'/>` that makes it a join: no discussion history
    /// (commands said before the device joined are not carried out again), and the password.
    package static func join(_ presence: XMLElement, occupant: JID, password: String?) -> XMLElement {
        var join = presence
        join.setAttribute("to", occupant.description)
        join.append(XMLElement("x", namespace: namespace) {
            XMLElement("history", attributes: ["maxstanzas": "0"])
            if let password { XMLElement("password", text: password) }
        })
        return join
    }

    /// The presence that keeps the room up to date after a change: the same, without the join.
    package static func update(_ presence: XMLElement, occupant: JID) -> XMLElement {
        var update = presence
        update.setAttribute("to", occupant.description)
        return update
    }

    /// XEP-0045 §10.1.2: accept the default configuration of a room we just created.
    package static func instantRoom(_ room: JID) -> XMLElement {
        XMLElement("iq", namespace: Namespace.client, attributes: ["type": "set", "to": room.description]) {
            XMLElement("query", namespace: owner) {
                XMLElement("x", namespace: "jabber:x:data", attributes: ["type": "submit"])
            }
        }
    }
}
