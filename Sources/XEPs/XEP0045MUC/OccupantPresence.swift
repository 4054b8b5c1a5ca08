package import XMLStream
package import XMPPCore

/// What one presence from a room says about one occupant (XEP-0045 §7.2).
package struct OccupantPresence: Sendable, Hashable {
    /// The room's bare JID.
    package var room: JID
    package var nick: String
    package var available: Bool
    /// The occupant's real full JID, when the room shows it to us (non-anonymous rooms).
    package var realJID: JID?
    package var affiliation: String?
    package var role: String?
    /// `<status code/>` values: 110 this is us, 201 room created, 210 nick changed by the
    /// service, 303 nick change, 301 banned, 307 kicked, 321/322 removed, 332 shutdown.
    package var statusCodes: Set<Int>
    /// With 303: the occupant's new nick.
    package var newNick: String?
    /// The room was destroyed (`<destroy/>`), with the reason given, if any.
    package var destroyed: Bool
    package var destroyReason: String?

    /// Reads a presence from `room@service/nick` with an `<x xmlns='…muc#user'/>`; nil for any
    /// other presence (errors included: they are join failures, see `RoomState`).
    package init?(_ presence: XMLElement) {
        guard presence.name == "presence", presence.stanzaType != "error", let from = presence.from,
            let nick = from.resource, from.local != nil, let x = presence.child("x", namespace: MUCXML.user)
        else { return nil }
        room = from.bare
        self.nick = nick
        available = presence.stanzaType == nil
        let item = x.child("item", namespace: MUCXML.user)
        realJID = item?.attribute("jid").flatMap { try? JID($0) }
        affiliation = item?.attribute("affiliation")
        role = item?.attribute("role")
        newNick = item?.attribute("nick")
        statusCodes = Set(x.children("status", namespace: MUCXML.user).compactMap { $0.attribute("code").flatMap { Int($0) } })
        let destroy = x.child("destroy", namespace: MUCXML.user)
        destroyed = destroy != nil
        destroyReason = destroy?.child("reason", namespace: MUCXML.user)?.text
    }

    /// XEP-0045 §7.2.3: the room marks our own presence with 110.
    package var isSelf: Bool { statusCodes.contains(110) }
}

/// The occupants of one room as its presences tell them: nick → latest presence. The device
/// looks up who sent a private or group message; the console lists devices among them.
package struct RoomOccupants: Sendable {
    package private(set) var byNick: [String: OccupantPresence] = [:]

    package init() {}

    /// Applies a presence: an available one adds or replaces, an unavailable one removes (and a
    /// nick change, 303, moves the occupant to its new nick).
    package mutating func apply(_ presence: OccupantPresence) {
        if presence.available {
            byNick[presence.nick] = presence
            return
        }
        let old = byNick.removeValue(forKey: presence.nick)
        if presence.statusCodes.contains(303), let newNick = presence.newNick, var moved = old {
            moved.nick = newNick
            byNick[newNick] = moved
        }
    }

    /// The real JID behind `nick`, when the room shows it.
    package func realJID(of nick: String) -> JID? {
        byNick[nick]?.realJID
    }

    package mutating func removeAll() {
        byNick.removeAll()
    }
}
