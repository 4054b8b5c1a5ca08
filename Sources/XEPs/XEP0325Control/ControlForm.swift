package import Devices
package import Readings
import Support
import XMLStream

/// The XEP-0325 control form: an XEP-0004 form with one field per control, typed and limited
/// with XEP-0122 validation, holding the current value and marked XEP-0336 `notSame` (so a
/// client submits only what the user edited). Also reads a submitted form back into changes.
package enum ControlForm {
    static let validateNamespace = "http://jabber.org/protocol/xdata-validate"
    static let dynamicNamespace = "urn:xmpp:xdata:dynamic"
    static let colorNamespace = "urn:xmpp:xdata:color"
    /// XEP-0336's hidden field carrying the form session.
    package static let sessionField = "xdd session"

    /// The form for `controls`, in profile order (the order in which setting them works), each
    /// with its value from `current` (the controls' readings) when it has one.
    package static func form(controls: [ControlDefinition], current: [Reading], title: String, session: String) -> DataForm {
        let values = Dictionary(current.compactMap { reading in reading.value.map { (reading.name, $0.text) } }) { first, _ in first }
        var fields = [DataFormField(sessionField, type: .hidden, values: [session])]
        fields += controls.map { field($0, current: values[$0.name]) }
        return DataForm(.form, title: title, fields: fields)
    }

    /// One control as a form field: `boolean`, `list-single` for an enum, `text-single`
    /// otherwise, with `<validate/>` (datatype, and range where the control has limits) and
    /// `<notSame/>`.
    package static func field(_ control: ControlDefinition, current: String?) -> DataFormField {
        let type: DataFormField.FieldType =
            switch control.type {
            case .boolean: .boolean
            case .enumeration: .listSingle
            default: .textSingle
            }
        var notes: [String] = []
        if !control.unit.isEmpty { notes.append("in \(control.unit)") }
        if let range = rangeText(control) { notes.append(range) }
        if let maxLength = control.maxLength { notes.append("at most \(maxLength) characters") }
        return DataFormField(
            control.name, type: type, label: control.description.isEmpty ? control.name : control.description,
            description: notes.isEmpty ? nil : notes.joined(separator: ", "), values: current.map { [$0] } ?? [],
            options: control.values.map { DataFormField.Option($0, label: $0) },
            extensions: [validation(control), XMLElement("notSame", namespace: dynamicNamespace)])
    }

    /// The changes a submitted form asks for, in its field order: only the fields it includes
    /// with a value (XEP-0325: act only on what was submitted). The session and `FORM_TYPE`
    /// fields are skipped. A cancelled form asks for nothing.
    package static func changes(from form: DataForm, applier: ControlApplier) throws(ControlError) -> [ControlChange] {
        guard form.kind == .submit else { return [] }
        var changes: [ControlChange] = []
        for field in form.fields {
            guard let name = field.variable, name != sessionField, name != "FORM_TYPE", let text = field.values.first else { continue }
            changes.append(try applier.change(name, text: text))
        }
        return changes
    }

    /// XEP-0122 `<validate datatype>` with `<range/>` for limited numbers. Colours use XEP-0331's
    /// `xdc:Color`.
    static func validation(_ control: ControlDefinition) -> XMLElement {
        var validate = XMLElement("validate", namespace: validateNamespace, attributes: ["datatype": datatype(control)])
        if control.type == .color { validate.setAttribute("xmlns:xdc", colorNamespace) }
        if control.type == .int || control.type == .double, control.minimum != nil || control.maximum != nil {
            var range = XMLElement("range", namespace: validateNamespace)
            range.setAttribute("min", control.minimum.map(NumberFormat.shortest))
            range.setAttribute("max", control.maximum.map(NumberFormat.shortest))
            validate.append(range)
        }
        return validate
    }

    static func datatype(_ control: ControlDefinition) -> String {
        switch control.type {
        case .boolean: return "xs:boolean"
        case .int:
            // xs:int is 32 bits; a control whose limits stay inside says so, others need xs:long.
            let bounds = Double(Int32.min)...Double(Int32.max)
            guard let low = control.minimum, let high = control.maximum, bounds.contains(low), bounds.contains(high) else {
                return "xs:long"
            }
            return "xs:int"
        case .double: return "xs:double"
        case .string, .enumeration: return "xs:string"
        case .color: return "xdc:Color"
        }
    }

    private static func rangeText(_ control: ControlDefinition) -> String? {
        switch (control.minimum, control.maximum) {
        case (let low?, let high?): "\(NumberFormat.shortest(low)) to \(NumberFormat.shortest(high))"
        case (let low?, nil): "at least \(NumberFormat.shortest(low))"
        case (nil, let high?): "at most \(NumberFormat.shortest(high))"
        case (nil, nil): nil
        }
    }
}
