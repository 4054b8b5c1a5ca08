package import Devices
import Readings
import Support
package import XMLStream
package import XMPPCore

/// XEP-0325 by IQ: `set` (typed parameters or a submitted form) answered with `<setResponse/>`
/// or an error naming the parameter, and `getForm` answered with the control form. Operators
/// only; the router refuses viewers and strangers.
package struct ControlHandler: IQHandler {
    private let applier: ControlApplier
    private let device: Device
    private let nodeID: String
    private let log = Logger("control")

    package init(device: Device, nodeID: String) {
        self.device = device
        self.applier = ControlApplier(device: device)
        self.nodeID = nodeID
    }

    package var payloadNamespaces: Set<String> { [ControlXML.namespace] }

    package func requiredRole(for iq: XMLElement) -> Role { .operator }

    package func handle(_ iq: XMLElement, from: JID, role: Role) async -> XMLElement {
        guard let payload = iq.payload else { return iq.errorReply(StanzaError(.badRequest)) }
        switch (iq.stanzaType, payload.name) {
        case ("set", "set"):
            if let error = ControlSet.nodeError(payload, nodeID: nodeID) { return iq.errorReply(error) }
            do throws(ControlError) {
                let applied = try await ControlSet.apply(payload, with: applier, by: "\(from.bare)")
                log.info("\(from.bare) set \(applied.map { "\($0.name)=\($0.value)" }.joined(separator: ", "))")
                return iq.iqResult(ControlXML.setResponse)
            } catch {
                log.info("refused set from \(from.bare): \(error)")
                return iq.errorReply(ControlXML.stanzaError(error))
            }
        case ("get", "getForm"):
            if let error = ControlSet.nodeError(payload, nodeID: nodeID) { return iq.errorReply(error) }
            let current = await device.currentReadings(names: Set(applier.controls.map(\.name)))
            let session = Hex.encode((0..<8).map { _ in UInt8.random(in: 0...255) })
            let form = ControlForm.form(controls: applier.controls, current: current, title: "Controls of \(nodeID)", session: session)
            return iq.iqResult(form.element)
        default:
            return iq.errorReply(StanzaError(.badRequest, text: "expected iq set <set/> or iq get <getForm/>"))
        }
    }
}

/// What IQ and message `set`s share.
enum ControlSet {
    /// `item-not-found` when the request addresses a node other than this device.
    static func nodeError(_ element: XMLElement, nodeID: String) -> StanzaError? {
        guard let other = ControlXML.nodeIDs(in: element).first(where: { $0 != nodeID }) else { return nil }
        return StanzaError(.itemNotFound, text: "no node '\(other)'; this device is '\(nodeID)'")
    }

    /// Parses every parameter, validates them all, then applies them in document order.
    static func apply(_ set: XMLElement, with applier: ControlApplier, by setter: String) async throws(ControlError) -> [ControlChange] {
        try await applier.apply(try ControlXML.changes(in: set, applier: applier), by: setter)
    }
}
