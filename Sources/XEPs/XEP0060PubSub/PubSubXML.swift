package import XMLStream
package import XMPPCore

/// XEP-0060 / XEP-0163 stanza shapes the publisher sends and the answers it reads: publish
/// with publish-options, node creation and configuration, whitelist affiliations, and the
/// disco#info query that says whether the service checks publish-options.
package enum PubSubXML {
    package static let namespace = "http://jabber.org/protocol/pubsub"
    package static let owner = namespace + "#owner"
    package static let event = namespace + "#event"
    package static let errors = namespace + "#errors"
    /// The disco feature of a service that treats publish-options as preconditions.
    package static let publishOptionsFeature = namespace + "#publish-options"
    package static let publishOptionsFormType = namespace + "#publish-options"
    package static let nodeConfigFormType = namespace + "#node_config"
    package static let discoInfo = "http://jabber.org/protocol/disco#info"

    /// `<iq type='set' [to]><pubsub><publish node><item id>payload</item></publish>
    /// [<publish-options>form</publish-options>]</pubsub></iq>`.
    package static func publish(node: String, itemID: String, payload: XMLElement, service: JID?, options: NodeConfiguration?) -> XMLElement {
        iq("set", to: service) {
            XMLElement("pubsub", namespace: namespace) {
                XMLElement("publish", namespace: namespace, attributes: ["node": node]) {
                    XMLElement("item", namespace: namespace, attributes: ["id": itemID]) { payload }
                }
                if let options {
                    XMLElement("publish-options", namespace: namespace) { options.form(type: publishOptionsFormType).element }
                }
            }
        }
    }

    /// Creates the node with its configuration in one request (XEP-0060 §8.1.3).
    package static func create(node: String, service: JID?, configuration: NodeConfiguration) -> XMLElement {
        iq("set", to: service) {
            XMLElement("pubsub", namespace: namespace) {
                XMLElement("create", namespace: namespace, attributes: ["node": node])
                XMLElement("configure", namespace: namespace) { configuration.form(type: nodeConfigFormType).element }
            }
        }
    }

    /// Sets the node's configuration as its owner (XEP-0060 §8.2.4): what the publisher sends
    /// after `precondition-not-met`.
    package static func configure(node: String, service: JID?, configuration: NodeConfiguration) -> XMLElement {
        iq("set", to: service) {
            XMLElement("pubsub", namespace: owner) {
                XMLElement("configure", namespace: owner, attributes: ["node": node]) {
                    configuration.form(type: nodeConfigFormType).element
                }
            }
        }
    }

    /// Asks for the node's affiliations (XEP-0060 §8.9.1).
    package static func affiliations(node: String, service: JID?) -> XMLElement {
        iq("get", to: service) {
            XMLElement("pubsub", namespace: owner) { XMLElement("affiliations", namespace: owner, attributes: ["node": node]) }
        }
    }

    /// Sets affiliations (XEP-0060 §8.9.2): `member` puts a JID on a whitelist, `none` takes it off.
    package static func setAffiliations(node: String, service: JID?, _ changes: [(jid: String, affiliation: String)]) -> XMLElement {
        iq("set", to: service) {
            XMLElement("pubsub", namespace: owner) {
                XMLElement("affiliations", namespace: owner, attributes: ["node": node]) {
                    changes.map { XMLElement("affiliation", namespace: owner, attributes: ["jid": $0.jid, "affiliation": $0.affiliation]) }
                }
            }
        }
    }

    /// `<iq type='get' [to]><query xmlns='…disco#info'/></iq>`: for PEP, the account's bare JID answers.
    package static func discoInfoQuery(service: JID?) -> XMLElement {
        iq("get", to: service) { XMLElement("query", namespace: discoInfo) }
    }

    /// The features a disco#info result lists.
    package static func features(in result: XMLElement) -> Set<String> {
        guard let query = result.child("query", namespace: discoInfo) else { return [] }
        return Set(query.children("feature", namespace: discoInfo).compactMap { $0.attribute("var") })
    }

    /// `(jid, affiliation)` pairs of an affiliations result.
    package static func affiliations(in result: XMLElement) -> [(jid: String, affiliation: String)] {
        guard let list = result.child("pubsub", namespace: owner)?.child("affiliations", namespace: owner) else { return [] }
        return list.children("affiliation", namespace: owner).compactMap { item in
            guard let jid = item.attribute("jid"), let affiliation = item.attribute("affiliation") else { return nil }
            return (jid, affiliation)
        }
    }

    /// The item ids a publish result echoes (XEP-0060 §7.1.2: optional).
    package static func publishedItemIDs(in result: XMLElement) -> [String] {
        guard let publish = result.child("pubsub", namespace: namespace)?.child("publish", namespace: namespace) else { return [] }
        return publish.children("item", namespace: namespace).compactMap { $0.attribute("id") }
    }

    private static func iq(_ type: String, to service: JID?, @XMLContentBuilder content: () -> [XMLNode]) -> XMLElement {
        var stanza = XMLElement("iq", namespace: Namespace.client, attributes: ["type": type], children: content())
        if let service { stanza.setAttribute("to", service.description) }
        return stanza
    }
}

/// The node settings the publisher asks for: sent as publish-options (checked as preconditions
/// by the service), in `<create><configure/>` and in owner configuration.
package struct NodeConfiguration: Sendable, Hashable {
    /// XEP-0060 access models Kinglet offers: `presence` (contacts subscribed to the device's
    /// presence), `whitelist` (the operators, set as `member` affiliations), `open` (anyone).
    package enum AccessModel: String, Sendable, CaseIterable {
        case presence, whitelist, open
    }

    package var persistItems: Bool
    package var maxItems: Int
    package var accessModel: AccessModel

    package init(persistItems: Bool = true, maxItems: Int = 1, accessModel: AccessModel = .presence) {
        self.persistItems = persistItems
        self.maxItems = maxItems
        self.accessModel = accessModel
    }

    /// A submitted XEP-0004 form of this `FORM_TYPE` with the three fields.
    package func form(type: String) -> DataForm {
        var form = DataForm(.submit, fields: [
            DataFormField("pubsub#persist_items", values: [persistItems ? "true" : "false"]),
            DataFormField("pubsub#max_items", values: [String(maxItems)]),
            DataFormField("pubsub#access_model", values: [accessModel.rawValue]),
        ])
        form.formType = type
        return form
    }
}

/// What a publish error means for the publisher (XEP-0060 §7.1.3).
package enum PublishFailure: Sendable, Equatable {
    /// `conflict` + `precondition-not-met`: the node exists with another configuration;
    /// reconfigure it as its owner, then publish again.
    case preconditionNotMet
    /// `item-not-found`: no such node and the service does not create nodes on publish; create it.
    case nodeMissing
    /// Worth retrying soon (`type='wait'`, `resource-constraint`, `internal-server-error`).
    case temporary
    /// Refused (`forbidden`, `not-authorized`, `not-allowed`, `payload-too-big`, ...): hold the
    /// readings and retry at a growing interval; the operator must fix the server side.
    case refused

    package init(_ error: StanzaError) {
        if error.application?.name == "precondition-not-met" {
            self = .preconditionNotMet
        } else if error.condition == .itemNotFound {
            self = .nodeMissing
        } else if error.kind == .wait || error.condition == .resourceConstraint || error.condition == .internalServerError {
            self = .temporary
        } else {
            self = .refused
        }
    }

    /// Whether a refused publish that carried publish-options may have been refused for the
    /// options themselves (a field the service does not know, a value it cannot take) rather
    /// than for the item, the node or our rights: a request-shaped condition with no PubSub
    /// application condition (those name the real cause: `precondition-not-met`, `payload-too-big`...).
    package static func mayRefuseTheOptions(_ error: StanzaError) -> Bool {
        guard error.application == nil else { return false }
        switch error.condition {
        case .badRequest, .notAcceptable, .resourceConstraint, .featureNotImplemented: return true
        default: return false
        }
    }
}
