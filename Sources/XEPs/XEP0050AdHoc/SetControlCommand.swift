import Devices
import Support
import XMPPCore

/// "Set a control", for operators: pick a control, then a value in a field typed and limited as
/// the control is. A value that does not fit shows the form again with the reason.
struct SetControlCommand: AdHocCommand {
    let services: DeviceServices
    private let log = Logger("adhoc")

    init(services: DeviceServices) {
        self.services = services
    }

    var node: String { "set-control" }
    var name: String { "Set a control" }
    var requiredRole: Role { .operator }
    var stageCount: Int { 2 }

    func form(stage: Int, submitted: [DataForm?]) async -> DataForm {
        let current = await currentValues()
        guard stage == 1, let control = chosenControl(submitted) else {
            let chosen = (submitted.first ?? nil)?.value("control")
            return DataForm(
                .form, title: name, instructions: "Pick the control to set.",
                fields: [
                    DataFormField(
                        "control", type: .listSingle, label: "Control", required: true, values: chosen.map { [$0] } ?? [],
                        options: services.controls.map { control in
                            DataFormField.Option(control.name, label: "\(control.name): \(current[control.name] ?? "?")")
                        })
                ])
        }
        let fixed = DataFormField(nil, type: .fixed, values: ["\(control.name) is now \(current[control.name] ?? "unknown")."])
        var field = ControlForm.field(control, current: await currentText(of: control))
        // One control at a time: the field is always submitted, so XEP-0336 `notSame` (which
        // lets a client leave out an unchanged field) would only lose the value.
        field.extensions.removeAll { $0.name == "notSame" }
        field.label = control.description.isEmpty ? control.name : "\(control.name) (\(control.description))"
        field.description = "Must be \(control.expectation)."
        field.required = true
        if let retried = (submitted.count > 1 ? submitted[1] : nil)?.field(control.name)?.values, !retried.isEmpty {
            field.values = retried
        }
        return DataForm(.form, title: "Set \(control.name)", instructions: "Enter the new value.", fields: [fixed, field])
    }

    func check(stage: Int, form: DataForm, submitted: [DataForm?]) async -> String? {
        guard let name = form.value("control"), !name.isEmpty else { return "Pick a control." }
        return services.control(named: name) == nil ? "There is no control named '\(name.prefix(64))'." : nil
    }

    func complete(submitted: [DataForm], requester: JID) async -> CommandOutcome {
        guard let control = chosenControl(submitted) else { return .retry("Pick a control first (go back).") }
        guard submitted.count > 1, let text = submitted[1].value(control.name), !text.trimmingSpaces.isEmpty else {
            return .retry("Enter a value for \(control.name).")
        }
        switch await services.set(control, to: text, by: "\(requester.bare)") {
        case .applied(let value):
            let shown = HumanText.value(value, of: control)
            log.info("\(requester) set \(control.name) to \(value) (ad-hoc command)")
            return .completed([.info("\(control.name) is now \(shown).")], nil)
        case .refused(_, let message):
            log.info("\(requester) could not set \(control.name): \(message)")
            return .retry(message)
        }
    }

    private func chosenControl(_ submitted: [DataForm?]) -> ControlDefinition? {
        (submitted.first ?? nil)?.value("control").flatMap(services.control(named:))
    }

    private func currentValues() async -> [String: String] {
        let readings = await services.device.currentReadings(names: Set(services.controls.map(\.name)))
        return Dictionary(readings.map { ($0.name, HumanText.value(of: $0)) }, uniquingKeysWith: { first, _ in first })
    }

    /// The control's value in force as XEP-0323 writes it, for the form's default.
    private func currentText(of control: ControlDefinition) async -> String? {
        await services.device.currentReadings(names: [control.name]).first?.value?.text
    }
}
