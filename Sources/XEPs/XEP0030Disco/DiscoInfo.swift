package import XMLStream
import XMPPCore

/// What a disco#info answer holds (XEP-0030 §3.1, with XEP-0128 extended forms): the shape the
/// handler serializes and XEP-0115 hashes.
package struct DiscoInfo: Sendable, Hashable {
    package static let namespace = "http://jabber.org/protocol/disco#info"

    package var identities: [DiscoIdentity]
    package var features: [String]
    /// XEP-0128 extended information: `result` forms, each with a hidden `FORM_TYPE`.
    package var forms: [DataForm]

    package init(identities: [DiscoIdentity], features: [String], forms: [DataForm] = []) {
        self.identities = identities
        self.features = features
        self.forms = forms
    }

    /// The `<query/>` payload; `node` is mirrored from the request (XEP-0030 §3.2).
    package func element(node: String?) -> XMLElement {
        var query = XMLElement("query", namespace: Self.namespace)
        if let node { query.setAttribute("node", node) }
        for identity in identities { query.append(identity.element) }
        for feature in features { query.append(XMLElement("feature", attributes: ["var": feature])) }
        for form in forms { query.append(form.element) }
        return query
    }

    /// An account's disco#info shows a PEP service by this identity (XEP-0163 §6.1).
    package var offersPEP: Bool {
        identities.contains { $0.category == "pubsub" && $0.type == "pep" }
    }

    /// Reads a disco#info `<query/>`; nil for another element.
    package init?(_ query: XMLElement) {
        guard query.name == "query", query.namespace == Self.namespace else { return nil }
        identities = query.children("identity", namespace: Self.namespace).map(DiscoIdentity.init(parsing:))
        features = query.children("feature", namespace: Self.namespace).compactMap { $0.attribute("var") }
        forms = query.children("x", namespace: DataForm.namespace).compactMap(DataForm.init)
    }
}

extension DiscoIdentity {
    /// `<identity category type [name] [xml:lang]/>`.
    package var element: XMLElement {
        var element = XMLElement("identity", namespace: DiscoInfo.namespace, attributes: ["category": category, "type": type])
        if let name { element.setAttribute("name", name) }
        if let language { element.setAttribute("xml:lang", language) }
        return element
    }

    init(parsing element: XMLElement) {
        self.init(
            category: element.attribute("category") ?? "", type: element.attribute("type") ?? "",
            name: element.attribute("name"), language: element.attribute("xml:lang"))
    }
}

/// The disco#items answer (XEP-0030 §4): the items of the entity or of one of its nodes.
package enum DiscoItems {
    package static let namespace = "http://jabber.org/protocol/disco#items"

    /// The `<query/>` payload; an empty list is an empty query, not an error (XEP-0030 §4.2).
    package static func element(_ items: [DiscoItem], node: String?) -> XMLElement {
        var query = XMLElement("query", namespace: namespace)
        if let node { query.setAttribute("node", node) }
        for item in items { query.append(item.element) }
        return query
    }
}

extension DiscoItem {
    /// `<item jid [node] [name]/>`.
    package var element: XMLElement {
        var element = XMLElement("item", namespace: DiscoItems.namespace, attributes: ["jid": jid.description])
        if let node { element.setAttribute("node", node) }
        if let name { element.setAttribute("name", name) }
        return element
    }
}
