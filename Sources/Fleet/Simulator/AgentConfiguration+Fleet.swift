package import Agent
package import XMPPCore

/// One device config as the template for many simulated devices (`kinglet fleet simulate`):
/// `{n}` stands for the device's number in the JID, the resource and the store path.
extension AgentConfiguration {
    package static let devicePlaceholder = "{n}"

    /// Why this config cannot serve `count` devices at once, or nil: each needs an account and
    /// an outbox of its own.
    package func fleetTemplateProblem(count: Int) -> String? {
        guard count > 1 else { return nil }
        let n = Self.devicePlaceholder
        if !xmpp.jid.description.contains(n) {
            return "\(file): [xmpp] jid must contain \(n) (sim-\(n)@example.org), so that each device has an account of its own"
        }
        if !store.path.contains(n) {
            return "\(file): [store] path must contain \(n) (/var/tmp/sim/\(n).db), so that each device has an outbox of its own"
        }
        return nil
    }

    /// Device `n` of `count`: `{n}` replaced in the JID, resource and store path. With several
    /// `servers`, device n begins with server n mod their count, so the fleet spreads over them.
    package func simulatedDevice(_ n: Int) throws(JIDError) -> AgentConfiguration {
        var device = self
        let (placeholder, number) = (Self.devicePlaceholder, String(n))
        device.xmpp.jid = try JID(xmpp.jid.description.replacing(placeholder, with: number))
        device.xmpp.resource = xmpp.resource.replacing(placeholder, with: number)
        device.store.path = store.path.replacing(placeholder, with: number)
        if !xmpp.servers.isEmpty {
            let first = n % xmpp.servers.count
            device.xmpp.servers = Array(xmpp.servers[first...] + xmpp.servers[..<first])
        }
        return device
    }
}
