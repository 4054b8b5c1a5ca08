import Devices
import XMLStream

/// The data-form field that sets one control, typed and limited as the control is: `boolean`,
/// `list-single` for enums, and `text-single` with XEP-0122 validation for numbers, text and
/// colours, so that a client can check the value before sending it.
enum ControlField {
    static let validateNamespace = "http://jabber.org/protocol/xdata-validate"

    /// A field named `variable` for `control`, holding `current` (the value in force) if known.
    static func field(_ variable: String, for control: ControlDefinition, current: ControlValue?) -> DataFormField {
        let label = control.description.isEmpty ? control.name : "\(control.name) (\(control.description))"
        var field = DataFormField(variable, label: label, description: "Must be \(control.expectation).", required: true)
        switch control.type {
        case .boolean:
            field.type = .boolean
            if case .boolean(let flag)? = current { field.values = [flag ? "1" : "0"] }
        case .enumeration:
            field.type = .listSingle
            field.options = control.values.map { DataFormField.Option($0) }
        case .int, .double, .string, .color:
            field.type = .textSingle
            field.extensions = [validation(for: control)]
        }
        if field.values.isEmpty, let current { field.values = [current.description] }
        return field
    }

    /// The XEP-0122 `<validate/>`: a datatype, and a range or a pattern where the control has
    /// limits.
    static func validation(for control: ControlDefinition) -> XMLElement {
        let datatype =
            switch control.type {
            case .int: "xs:integer"
            case .double: "xs:double"
            default: "xs:string"
            }
        var element = XMLElement("validate", namespace: validateNamespace, attributes: ["datatype": datatype])
        let limited = control.minimum != nil || control.maximum != nil
        switch control.type {
        case .int where limited, .double where limited:
            var range = XMLElement("range")
            if let minimum = control.minimum { range.setAttribute("min", NumberFormat.shortest(minimum)) }
            if let maximum = control.maximum { range.setAttribute("max", NumberFormat.shortest(maximum)) }
            element.append(range)
        case .string where control.maxLength != nil:
            // XML Schema patterns match the whole value: no anchors needed.
            element.append(XMLElement("regex", text: ".{0,\(control.maxLength!)}"))
        case .color:
            element.append(XMLElement("regex", text: "#?[0-9A-Fa-f]{6}([0-9A-Fa-f]{2})?"))
        default:
            element.append(XMLElement("basic"))
        }
        return element
    }
}
