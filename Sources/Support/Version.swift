/// The agent's own version: `kinglet --version`, XEP-0092 answers, the caps node and the
/// `agent_version` identity field all read it from here.
package enum KingletVersion {
    package static let string = "0.1.0"
    package static let name = "Kinglet"
    /// The XEP-0115 caps node: a URI that names the software.
    package static let capsNode = "urn:kinglet"
}
