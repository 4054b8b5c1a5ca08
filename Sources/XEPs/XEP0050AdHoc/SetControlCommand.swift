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
        let currentValue = await appliedValue(of: control)
        var fields = [DataFormField(nil, type: .fixed, values: ["\(control.name) is now \(current[control.name] ?? "unknown")."])]
        var valueField = ControlField.field("value", for: control, current: currentValue)
        if let retried = (submitted.count > 1 ? submitted[1] : nil)?.field("value")?.values, !retried.isEmpty {
            valueField.values = retried
        }
        fields.append(valueField)
        return DataForm(.form, title: "Set \(control.name)", instructions: "Enter the new value.", fields: fields)
    }

    func check(stage: Int, form: DataForm, submitted: [DataForm?]) async -> String? {
        guard let name = form.value("control"), !name.isEmpty else { return "Pick a control." }
        return services.control(named: name) == nil ? "There is no control named '\(name.prefix(64))'." : nil
    }

    func complete(submitted: [DataForm], requester: JID) async -> CommandOutcome {
        guard let control = chosenControl(submitted) else { return .retry("Pick a control first (go back).") }
        guard submitted.count > 1, let text = submitted[1].value("value"), !text.trimmingSpaces.isEmpty else {
            return .retry("Enter a value for \(control.name).")
        }
        switch await services.set(control, to: text) {
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
        let readings = await services.sampler.currentReadings(names: Set(services.controls.map(\.name)))
        return Dictionary(readings.map { ($0.name, HumanText.value(of: $0)) }, uniquingKeysWith: { first, _ in first })
    }

    /// The control's value in force, for the form's default, from its writable reading.
    private func appliedValue(of control: ControlDefinition) async -> ControlValue? {
        guard let reading = await services.sampler.currentReadings(names: [control.name]).first, let value = reading.value
        else { return nil }
        return try? control.parse(value.text)
    }
}
