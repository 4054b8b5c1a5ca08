import Devices
import Support
import XMPPCore

/// "Set a control", for operators, on one form page (Psi 1.5 drops every reply after a form's
/// first page): tick the controls to set in "Controls to set", each with its own field, typed
/// and limited as the control is and holding its current value. Several may be set at once:
/// every value is checked first, and only when all fit are they applied, in profile order. A
/// value that does not fit shows the form again with every reason and what was entered.
struct SetControlCommand: AdHocCommand {
    let services: DeviceServices
    private let log = Logger("adhoc")
    /// The list of controls to set: a checkbox would always submit a value, so a field's
    /// presence cannot say whether its control is meant.
    static let chosenField = "controls"

    init(services: DeviceServices) {
        self.services = services
    }

    var node: String { "set-control" }
    var name: String { "Set a control" }
    var requiredRole: Role { .operator }
    var stageCount: Int { 1 }

    func form(stage: Int, submitted: [DataForm?]) async -> DataForm {
        let earlier = submitted.first ?? nil
        let readings = await services.device.currentReadings(names: Set(services.controls.map(\.name)))
        var fields = [
            DataFormField(
                Self.chosenField, type: .listMulti, label: "Controls to set", required: true,
                values: earlier?.field(Self.chosenField)?.values ?? [],
                options: services.controls.map { DataFormField.Option($0.name, label: Self.label($0)) })
        ]
        for control in services.controls {
            let reading = readings.first { $0.name == control.name }
            var field = ControlForm.field(control, current: reading?.value?.text)
            // Every field is submitted whether touched or not; XEP-0336 `notSame` would only lose values.
            field.extensions.removeAll { $0.name == "notSame" }
            field.label = Self.label(control)
            field.description = "current value: \(reading.map(HumanText.value(of:)) ?? "unknown"); must be \(control.expectation)"
            if let entered = earlier?.field(control.name)?.values, !entered.isEmpty { field.values = entered }
            fields.append(field)
        }
        return DataForm(
            .form, title: name,
            instructions: "Tick the controls to set in “Controls to set”, and give each its new value. Each field shows the current value.",
            fields: fields)
    }

    func complete(submitted: [DataForm], requester: JID) async -> CommandOutcome {
        guard let form = submitted.first else { return .retry("Tick the controls to set.") }
        let chosen = Set(form.field(Self.chosenField)?.values.filter { !$0.isEmpty } ?? [])
        guard !chosen.isEmpty else { return .retry("Tick the controls to set in “Controls to set”.") }
        if let unknown = chosen.sorted().first(where: { services.control(named: $0) == nil }) {
            return .retry("There is no control named '\(unknown.prefix(64))'.")
        }
        var requests: [SetRequest] = []
        var missing: [String] = []
        for control in services.controls where chosen.contains(control.name) {
            guard let text = form.value(control.name), !text.trimmingSpaces.isEmpty else {
                missing.append(control.name)
                continue
            }
            requests.append(SetRequest(control, text))
        }
        guard missing.isEmpty else { return .retry("Enter a value for \(missing.joined(separator: ", ")).") }
        let outcome = await services.set(requests, by: "\(requester.bare)")
        log.info("\(requester): \(outcome.logText) (ad-hoc command)")
        switch outcome {
        case .applied: return .completed([.info(outcome.text + ".")], nil)
        case .refused: return .retry(outcome.text)
        case .failed: return .completed([.error(outcome.text + ".")], nil)
        }
    }

    /// `relay (Relay output)`.
    private static func label(_ control: ControlDefinition) -> String {
        control.description.isEmpty ? control.name : "\(control.name) (\(control.description))"
    }
}
