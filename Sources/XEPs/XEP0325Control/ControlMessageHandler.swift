package import Devices
import Readings
import Support
package import XMLStream
package import XMPPCore

/// XEP-0325 by message: fire and forget. Operators' `<set/>` is applied; nothing is ever sent
/// back, whether it worked or not, so outcomes go to the log.
package struct ControlMessageHandler: MessageHandler {
    private let applier: ControlApplier
    private let nodeID: String
    private let log = Logger("control")

    package init(device: Device, nodeID: String) {
        self.applier = ControlApplier(device: device)
        self.nodeID = nodeID
    }

    package func handle(_ message: XMLElement, from: JID, role: Role) async -> Bool {
        guard let set = message.child("set", namespace: ControlXML.namespace) else { return false }
        guard role >= .operator else {
            Logger("access").info("ignored control message from \(from.bare): \(role) lacks operator rights")
            return true
        }
        if let error = ControlSet.nodeError(set, nodeID: nodeID) {
            log.info("ignored control message from \(from.bare): \(error)")
            return true
        }
        do throws(ControlError) {
            let applied = try await ControlSet.apply(set, with: applier, by: "\(from.bare)")
            log.info("\(from.bare) set by message \(applied.map { "\($0.name)=\($0.value)" }.joined(separator: ", "))")
        } catch {
            log.info("refused control message from \(from.bare): \(error)")
        }
        return true
    }
}
