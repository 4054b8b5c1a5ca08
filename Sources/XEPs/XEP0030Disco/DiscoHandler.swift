import Support
package import XMLStream
package import XMPPCore

/// XEP-0030 disco#info and disco#items for the device's full JID.
///
/// - no node, or the caps node `node#ver`: the device's identity, features and XEP-0128 forms;
/// - a sensor or control node (`SensorNodes`), then the nodes of the providers the agent lists
///   (the XEP-0050 commands node): the first provider that claims the node answers;
/// - anything else: `item-not-found`.
///
/// Viewers and operators may ask; the router refuses strangers with `<forbidden/>` first.
package struct DiscoHandler: IQHandler {
    /// The XEP-0050 commands node, listed in the root items when the agent answers commands.
    package static let commandsNode = "http://jabber.org/protocol/commands"

    private let device: DeviceDiscoInfo
    private let sensors: SensorNodes
    private let providers: [any DiscoNodeProvider]
    private let ownJID: @Sendable () async -> JID?
    private let log = Logger("disco")

    /// `ownJID`: the bound full JID, the `jid` of the items when a request carries no `to`.
    package init(
        device: DeviceDiscoInfo, sensors: SensorNodes, providers: [any DiscoNodeProvider] = [],
        ownJID: @escaping @Sendable () async -> JID?
    ) {
        self.device = device
        self.sensors = sensors
        self.providers = providers
        self.ownJID = ownJID
    }

    package var payloadNamespaces: Set<String> { [DiscoInfo.namespace, DiscoItems.namespace] }

    package func requiredRole(for iq: XMLElement) -> Role { .viewer }

    package func handle(_ iq: XMLElement, from: JID, role: Role) async -> XMLElement {
        guard iq.stanzaType == "get", let query = iq.payload else {
            return iq.errorReply(StanzaError(.badRequest))
        }
        let node = query.attribute("node")
        let reply: XMLElement?
        if query.namespace == DiscoInfo.namespace {
            reply = await info(node: node, from: from, role: role)
        } else {
            reply = await items(node: node, to: iq.to, from: from, role: role)
        }
        guard let reply else {
            log.debug("\(query.namespace ?? "") of unknown node '\(node ?? "")' asked by \(from)")
            return iq.errorReply(StanzaError(.itemNotFound))
        }
        return iq.iqResult(reply)
    }

    private func info(node: String?, from: JID, role: Role) async -> XMLElement? {
        guard let node else { return await device.current().element(node: nil) }
        if node.hasPrefix(KingletVersion.capsNode + "#") {
            let info = await device.current()
            // Only the current ver is ours; an old one names features we may no longer have.
            guard EntityCapabilities(node: KingletVersion.capsNode, info: info).discoNode == node else { return nil }
            return info.element(node: node)
        }
        for provider in [sensors] + providers {
            if let (identities, features) = await provider.discoInfo(node: node, for: from, role: role) {
                return DiscoInfo(identities: identities, features: features).element(node: node)
            }
        }
        return nil
    }

    private func items(node: String?, to: JID?, from: JID, role: Role) async -> XMLElement? {
        guard let node else {
            guard let jid = await resolve(to) else { return DiscoItems.element([], node: nil) }
            var list = await sensors.items(jid: jid)
            if device.advertises(Self.commandsNode) {
                list.append(DiscoItem(jid: jid, node: Self.commandsNode, name: "Commands"))
            }
            return DiscoItems.element(list, node: nil)
        }
        for provider in [sensors] + providers {
            if let list = await provider.discoItems(node: node, for: from, role: role) {
                return DiscoItems.element(list, node: node)
            }
        }
        return nil
    }

    /// The address the request was sent to, or our bound JID when it carried none.
    private func resolve(_ to: JID?) async -> JID? {
        if let to, !to.isBare { return to }
        return await ownJID() ?? to
    }
}
