package import XMPPCore

/// The life of one seat in a fleet room (XEP-0045), as a pure value: events go in with the
/// monotonic time, actions come out. The device and the console both sit in rooms this way.
///
/// - Joins after every new session, and after a resumption only if the room presence was lost
///   (the room sent us an unavailable presence, or we were not in yet).
/// - A nick in use gets a suffix (`sensor-7-2`, `-3`, ...) for a few tries, then a back-off.
/// - Kicked, the room shutting down, or a failed join: back-off, doubling from `retryInitial`
///   to `retryMax`, then the original nick again. Banned, removed, a wrong password, a
///   members-only room or a destroyed room: the operator must act, so it is logged as an error
///   and tried again only after `retryMax`. Nothing here can loop faster than the back-off.
package struct RoomState: Sendable {
    package struct Settings: Sendable, Hashable {
        package var room: JID
        package var nick: String
        package var retryInitial: Duration = .seconds(5)
        package var retryMax: Duration = .seconds(600)
        /// Nicks tried on a conflict before backing off: the configured one and suffixed ones.
        package var nickAttempts = 5

        package init(room: JID, nick: String) {
            self.room = room.bare
            self.nick = nick
        }
    }

    package enum Phase: Sendable, Hashable {
        /// Not in the room and not trying (offline, or not yet online).
        case out
        /// The join presence went out; waiting for the room's answer.
        case joining
        case joined
        /// Waiting until the monotonic time given before the next join.
        case waiting(until: Duration)
    }

    package enum Action: Sendable, Hashable {
        /// Send the join presence to this occupant JID (room/nick).
        case join(JID)
        /// We created the room: accept its default configuration (XEP-0045 §10.1.2).
        case configureInstantRoom
        /// Call `timerFired` at this monotonic time.
        case wake(at: Duration)
        case logInfo(String)
        case logWarning(String)
        case logError(String)
    }

    package let settings: Settings
    package private(set) var phase = Phase.out
    /// The nick in use, or being tried.
    package private(set) var nick: String
    private var online = false
    private var nickAttempt = 1
    private var failures = 0

    package init(settings: Settings) {
        self.settings = settings
        nick = settings.nick
    }

    /// Our JID in the room.
    package var occupantJID: JID? { try? settings.room.with(resource: nick) }

    package var isJoined: Bool { phase == .joined }

    /// The session is online: a new stream, or a resumed one (`resumed`).
    package mutating func online(resumed: Bool, now: Duration) -> [Action] {
        online = true
        switch phase {
        case .joined where resumed, .joining where resumed, .waiting:
            return []  // still in, the join is on its way, or backing off
        case .out, .joined, .joining:
            return join()
        }
    }

    /// The connection is gone. If it is resumed the room presence is still there; if not,
    /// `online(resumed: false)` joins again.
    package mutating func offline() {
        online = false
    }

    /// A presence from the room about us (status 110, or our nick).
    package mutating func selfPresence(_ presence: OccupantPresence, now: Duration) -> [Action] {
        if presence.available {
            var actions: [Action] = []
            if phase != .joined {
                actions.append(.logInfo("joined \(settings.room) as \(presence.nick)"))
            }
            nick = presence.nick  // 210: the service may have changed it
            phase = .joined
            failures = 0
            if presence.statusCodes.contains(201) { actions.append(.configureInstantRoom) }
            return actions
        }
        if presence.statusCodes.contains(303), let newNick = presence.newNick {
            nick = newNick
            return []
        }
        let codes = presence.statusCodes
        if presence.destroyed {
            return giveUp("the room \(settings.room) was destroyed" + (presence.destroyReason.map { ": \($0)" } ?? ""), now: now)
        }
        if codes.contains(301) { return giveUp("banned from \(settings.room)", now: now) }
        if codes.contains(321) || codes.contains(322) { return giveUp("removed from \(settings.room) (members only)", now: now) }
        if codes.contains(307) { return backOff("kicked from \(settings.room)", now: now) }
        if codes.contains(332) { return backOff("the room service \(settings.room.domain) is shutting down", now: now) }
        return backOff("left \(settings.room)", now: now)
    }

    /// The room answered the join with an error.
    package mutating func joinFailed(_ error: StanzaError, now: Duration) -> [Action] {
        guard phase == .joining else { return [] }
        switch error.condition {
        case .conflict where nickAttempt < settings.nickAttempts:
            nickAttempt += 1
            let taken = nick
            nick = settings.nick + "-\(nickAttempt)"
            return [.logWarning("the nick \(taken) is in use in \(settings.room); trying \(nick)")] + join()
        case .conflict:
            return backOff("every nick tried in \(settings.room) is in use", now: now)
        case .notAuthorized:
            return giveUp("\(settings.room) refused the room password (set [fleet] password)", now: now)
        case .forbidden:
            return giveUp("\(settings.room) refused us: banned", now: now)
        case .registrationRequired:
            return giveUp("\(settings.room) is members-only and we are not a member", now: now)
        default:
            return backOff("cannot join \(settings.room): \(error)", now: now)
        }
    }

    /// The time given in `.wake(at:)` has come.
    package mutating func timerFired(now: Duration) -> [Action] {
        guard case .waiting(let until) = phase else { return [] }
        guard now >= until else { return [.wake(at: until)] }
        phase = .out
        nick = settings.nick
        nickAttempt = 1
        return online ? join() : []
    }

    private mutating func join() -> [Action] {
        guard online, let occupant = occupantJID else { return [] }
        phase = .joining
        return [.join(occupant)]
    }

    /// A failure that passes: the next try after a delay that doubles with each one.
    private mutating func backOff(_ why: String, now: Duration) -> [Action] {
        failures += 1
        var delay = settings.retryInitial
        for _ in 1..<min(failures, 20) where delay < settings.retryMax { delay *= 2 }
        delay = min(delay, settings.retryMax)
        phase = .waiting(until: now + delay)
        return [.logWarning("\(why); joining again in \(delay)"), .wake(at: now + delay)]
    }

    /// A failure someone must fix: logged as an error, tried again only after `retryMax`.
    private mutating func giveUp(_ why: String, now: Duration) -> [Action] {
        failures += 1
        phase = .waiting(until: now + settings.retryMax)
        return [.logError("\(why); trying again in \(settings.retryMax)"), .wake(at: now + settings.retryMax)]
    }
}
