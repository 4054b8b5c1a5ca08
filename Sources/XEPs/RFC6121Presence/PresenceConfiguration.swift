/// An RFC 6121 `<show/>` value; no show at all means plainly available.
package enum PresenceShow: String, Sendable, Hashable, CaseIterable {
    case away, chat, dnd, xa
}

/// How the device presents itself: the `[presence]` settings.
package struct PresenceConfiguration: Sendable, Hashable {
    /// The status line.
    package var status: StatusTemplate = .standard
    /// `<priority/>`, left out when nil (the server then takes 0).
    package var priority: Int8?
    /// How often health and backlog are looked at. A presence goes out only when what it says
    /// changes, never per reading.
    package var checkInterval: Duration = .seconds(10)
    /// Readings waiting to be sent from which the backlog shows in presence. Below it, the
    /// few readings always in flight between publish and acknowledgement do not count.
    package var backlogThreshold = 100
    /// `<show/>` while a sensor, a control or the outbox fails; nil: available.
    package var failingShow: PresenceShow? = .dnd
    /// `<show/>` while a backlog waits (and nothing fails); nil: available.
    package var backlogShow: PresenceShow? = .away
    /// The disco identity name; nil: the profile's name.
    package var name: String?
    /// Whether XEP-0092 and the software information form tell the OS and its version.
    package var discloseOperatingSystem = true

    package init() {}
}
