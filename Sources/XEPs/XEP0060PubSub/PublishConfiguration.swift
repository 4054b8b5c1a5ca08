package import XMPPCore

/// Where and how readings are published: the `[publish]` section of the config, as plain values.
package struct PublishConfiguration: Sendable {
    /// The service that holds the node.
    package enum Target: Sendable, Equatable {
        /// XEP-0163 PEP: the device's own account.
        case pep
        /// An XEP-0060 pubsub service, such as `pubsub.example.org`.
        case service(JID)

        /// The pubsub service's address; nil for PEP (see `PublishConfiguration.service`).
        package var address: JID? {
            if case .service(let jid) = self { return jid }
            return nil
        }
    }

    package var target: Target
    /// The node's name; `PublishConfiguration.defaultNode` unless configured.
    package var node: String
    /// Asked for with publish-options and set when creating or reconfiguring the node.
    package var nodeConfiguration: NodeConfiguration
    /// The accounts put on the node's whitelist (`member`) when the access model is `whitelist`:
    /// the operators.
    package var whitelist: [JID]
    /// The device's XEP-0323 node id, written in every payload.
    package var nodeID: String
    /// The device's bare JID: `from` of `<delay/>`.
    package var account: JID
    /// The most publishes in flight (sent, not settled). Bounds memory during a long flush and
    /// how long a readout reply may wait behind publishes.
    package var window = 128
    /// Outbox batches read per query.
    package var readBatches = 32
    /// How long one publish waits for its answer.
    package var requestTimeout: Duration = .seconds(30)
    /// After a refused publish, the first wait before trying again; it doubles up to `retryMax`.
    package var retryInitial: Duration = .seconds(5)
    package var retryMax: Duration = .seconds(300)

    /// Where every pubsub request goes: the service, or for PEP the account's bare JID. A PEP
    /// request may also go without `to`, but jabberd2 drops those without an answer.
    package var service: JID { target.address ?? account }

    package init(target: Target, node: String? = nil, nodeConfiguration: NodeConfiguration = NodeConfiguration(),
                 whitelist: [JID] = [], nodeID: String, account: JID) {
        self.target = target
        self.node = node ?? Self.defaultNode(target: target, account: account)
        self.nodeConfiguration = nodeConfiguration
        self.whitelist = whitelist
        self.nodeID = nodeID
        self.account = account.bare
    }

    /// PEP: `urn:xmpp:iot:sensordata` (the node lives under the device's account, so it is
    /// already the device's own, and subscribers can use `urn:xmpp:iot:sensordata+notify`).
    /// A shared pubsub service: `urn:xmpp:iot:sensordata/` followed by the device's bare JID.
    package static func defaultNode(target: Target, account: JID) -> String {
        switch target {
        case .pep: SensorDataXML.namespace
        case .service: SensorDataXML.namespace + "/" + account.bare.description
        }
    }
}
