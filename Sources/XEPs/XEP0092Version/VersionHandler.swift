import Support
package import XMLStream
package import XMPPCore

/// XEP-0092: the software name and version, and the OS unless the config withholds it.
package struct VersionHandler: IQHandler {
    package static let namespace = "jabber:iq:version"

    private let operatingSystem: OperatingSystem?

    /// `operatingSystem`: nil leaves `<os/>` out (XEP-0092 §2 allows withholding it).
    package init(operatingSystem: OperatingSystem?) {
        self.operatingSystem = operatingSystem
    }

    package var payloadNamespaces: Set<String> { [Self.namespace] }

    package func requiredRole(for iq: XMLElement) -> Role { .viewer }

    package func handle(_ iq: XMLElement, from: JID, role: Role) async -> XMLElement {
        guard iq.stanzaType == "get" else { return iq.errorReply(StanzaError(.badRequest)) }
        return iq.iqResult(answer)
    }

    /// `<query><name/><version/>[<os/>]</query>`.
    var answer: XMLElement {
        XMLElement("query", namespace: Self.namespace) {
            XMLElement("name", text: KingletVersion.name)
            XMLElement("version", text: KingletVersion.string)
            if let operatingSystem { XMLElement("os", text: operatingSystem.description) }
        }
    }
}
