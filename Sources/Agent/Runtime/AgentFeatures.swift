package import Devices
package import Session
package import Store
package import Support
package import XEPs
package import XMPPCore

/// Everything that answers stanzas, wired in one place: the IQ features (each advertised in
/// disco#info and the caps), disco, XEP-0325 by message, chat commands, subscriptions, and the
/// router over them. Replies go to `sender`: the session in the agent; the stanza router fuzz
/// target passes a recorder, so it drives exactly the agent's features.
package struct AgentFeatures: Sendable {
    package let access: AccessPolicy
    package let router: StanzaRouter
    package let presence: PresenceService
    package let chat: ChatCommandHandler
    /// Every refusal is logged through this one, once per sender and minute.
    package let refusals: RefusalLogger

    /// `session` keeps the presence and the roster; `ownJID` is the full JID bound to it;
    /// `clock` times scheduled readouts.
    package init(
        configuration: AgentConfiguration, session: XMPPSession, sender: any StanzaSender,
        ownJID: @escaping @Sendable () async -> JID?, device: Device, store: ReadingStore,
        lifecycle: any AgentLifecycle, clock: any AgentClock = SystemClock()
    ) {
        let access = AccessPolicy(
            operators: configuration.access.operators, viewers: configuration.access.viewers,
            account: configuration.xmpp.jid)
        self.access = access
        let refusals = RefusalLogger(clock: clock)
        self.refusals = refusals
        let limits = configuration.limits.consumers
        let context = FeatureContext(configuration: configuration, access: access)
        let services = DeviceServices(device: device, store: store, connection: { await session.connectionInfo })
        // Also the disco provider of the commands node (XEP-0050 §2.2).
        let commands = AdHocCommandHandler(
            services: services, lifecycle: lifecycle, access: access, sessions: limits.commandSessions, ownJID: ownJID)
        let iqHandlers =
            Self.iqFeatures(
                sender: sender, device: device, store: store, context: context, nodeID: configuration.device.nodeID,
                limits: limits, refusals: refusals, clock: clock)
            + [commands]
        let discoInfo = DeviceDiscoInfo(
            name: configuration.presence.name ?? device.profile.name, handlers: iqHandlers, device: device,
            operatingSystem: context.operatingSystem)
        presence = PresenceService(
            session: session, configuration: configuration.presence, discoInfo: discoInfo, device: device, store: store,
            roster: context.roster, access: access)
        chat = ChatCommandHandler(services: services, policy: configuration.limits.chat, ownJID: ownJID, sender: sender)
        // `nodeProviders`: features that own disco nodes (the XEP-0050 commands node).
        let disco = DiscoHandler(
            device: discoInfo, sensors: SensorNodes(device: device, features: discoInfo.features), providers: [commands],
            ownJID: ownJID)
        router = StanzaRouter(
            sender: sender, access: access,
            iqHandlers: iqHandlers + [disco],
            // chat last: it claims every chat message with a body
            messageHandlers: [ControlMessageHandler(device: device, nodeID: configuration.device.nodeID), chat],
            presenceHandlers: [SubscriptionHandler(presence: presence, roster: context.roster, account: access.accountJID)],
            activity: context.activity, refusals: refusals)
    }

    /// Every IQ feature the agent answers, in one explicit list: disco#info and the caps
    /// advertise exactly these (plus disco itself).
    private static func iqFeatures(
        sender: any StanzaSender, device: Device, store: ReadingStore, context: FeatureContext, nodeID: String,
        limits: ConsumerLimits, refusals: RefusalLogger, clock: any AgentClock
    ) -> [any IQHandler] {
        [
            PingHandler(),
            SensorDataHandler(
                sender: sender, device: device, store: store, nodeID: nodeID, access: context.access, limits: limits,
                refusals: refusals, clock: clock),
            ControlHandler(device: device, nodeID: nodeID),
            VersionHandler(operatingSystem: context.operatingSystem),
            LastActivityHandler(activity: context.activity),
            RosterPushHandler(roster: context.roster, account: context.access.accountJID),
        ]
    }
}

/// What the features share: the access policy, the roster, the activity clock for XEP-0012,
/// and the OS as far as the config lets it be told.
private struct FeatureContext {
    let access: AccessPolicy
    let roster = Roster()
    let activity = ActivityClock()
    let operatingSystem: OperatingSystem?

    init(configuration: AgentConfiguration, access: AccessPolicy) {
        self.access = access
        operatingSystem = configuration.presence.discloseOperatingSystem ? OperatingSystem.current() : nil
    }
}
