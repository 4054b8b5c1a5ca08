import Crypto
import Support
package import XMLStream

/// XEP-0115 entity capabilities: the `ver` hash of a disco#info answer and the `<c/>` element
/// that carries it in every presence, so that others learn the features without asking.
package struct EntityCapabilities: Sendable, Hashable {
    package static let namespace = "http://jabber.org/protocol/caps"

    /// The software's URI (`KingletVersion.capsNode`).
    package var node: String
    /// Base64 of the SHA-1 of the verification string.
    package var ver: String

    package init(node: String, info: DiscoInfo) {
        self.node = node
        self.ver = Self.hash(Self.verificationString(info))
    }

    /// The disco node others ask about after seeing the caps: `node#ver` (XEP-0115 §6.2).
    package var discoNode: String { node + "#" + ver }

    /// `<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node=… ver=…/>`.
    package var element: XMLElement {
        XMLElement("c", namespace: Self.namespace, attributes: ["hash": "sha-1", "node": node, "ver": ver])
    }

    /// Base64 of the SHA-1 of the string's UTF-8 bytes (XEP-0115 §5.1 steps 7 and 8).
    package static func hash(_ verification: String) -> String {
        Base64.encode(Digest.sha1.hash(verification.utf8))
    }

    /// The verification string S of XEP-0115 §5.1 (and §5.4 for XEP-0128 forms). Every sort is
    /// by octets (i;octet), which is what comparing UTF-8 bytes does; Swift's own `<` on
    /// `String` compares by Unicode canonical equivalence and would not do. Values go in as
    /// they are: nothing is escaped or unescaped.
    package static func verificationString(_ info: DiscoInfo) -> String {
        var s = ""
        let identities = info.identities.sorted { a, b in
            octetsPrecede([a.category, a.type, a.language ?? "", a.name ?? ""], [b.category, b.type, b.language ?? "", b.name ?? ""])
        }
        for identity in identities {
            s += identity.category + "/" + identity.type + "/" + (identity.language ?? "") + "/" + (identity.name ?? "") + "<"
        }
        for feature in info.features.sorted(by: octetsPrecede) {
            s += feature + "<"
        }
        // Only forms with a hidden FORM_TYPE count (§5.4 step 3.6); they are sorted by it.
        let forms = info.forms.compactMap { form in hiddenFormType(form).map { ($0, form) } }
            .sorted { octetsPrecede($0.0, $1.0) }
        for (formType, form) in forms {
            s += formType + "<"
            let fields = form.fields.filter { $0.variable != nil && $0.variable != "FORM_TYPE" }
                .sorted { octetsPrecede($0.variable ?? "", $1.variable ?? "") }
            for field in fields {
                s += (field.variable ?? "") + "<"
                for value in field.values.sorted(by: octetsPrecede) { s += value + "<" }
            }
        }
        return s
    }

    private static func hiddenFormType(_ form: DataForm) -> String? {
        guard let field = form.field("FORM_TYPE"), field.type == .hidden, let value = field.values.first else { return nil }
        return value
    }

    static func octetsPrecede(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// Compares tuples of strings key by key, each by octets.
    private static func octetsPrecede(_ a: [String], _ b: [String]) -> Bool {
        for (x, y) in zip(a, b) where !x.utf8.elementsEqual(y.utf8) {
            return octetsPrecede(x, y)
        }
        return false
    }
}
