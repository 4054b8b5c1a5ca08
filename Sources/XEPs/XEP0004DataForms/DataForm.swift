package import XMLStream

/// An XEP-0004 data form (`jabber:x:data`): what ad-hoc commands, the XEP-0325 control form,
/// XEP-0128 extended disco info and PubSub publish-options are made of.
package struct DataForm: Sendable, Hashable {
    package static let namespace = "jabber:x:data"

    package enum Kind: String, Sendable, Hashable {
        case form, submit, cancel, result
    }

    package var kind: Kind
    package var title: String?
    package var instructions: String?
    package var fields: [DataFormField]
    /// Extra children kept as they are: XEP-0141 layout pages, `<reported/>`/`<item/>` tables.
    package var extensions: [XMLElement]

    package init(_ kind: Kind, title: String? = nil, instructions: String? = nil, fields: [DataFormField] = [], extensions: [XMLElement] = []) {
        self.kind = kind
        self.title = title
        self.instructions = instructions
        self.fields = fields
        self.extensions = extensions
    }

    /// The value of the hidden `FORM_TYPE` field, which names what the form is for.
    package var formType: String? {
        get { field("FORM_TYPE")?.values.first }
        set {
            fields.removeAll { $0.variable == "FORM_TYPE" }
            if let newValue { fields.insert(DataFormField("FORM_TYPE", type: .hidden, values: [newValue]), at: 0) }
        }
    }

    package func field(_ variable: String) -> DataFormField? {
        fields.first { $0.variable == variable }
    }

    /// The first value of a field, as submitted.
    package func value(_ variable: String) -> String? {
        field(variable)?.values.first
    }

    /// Reads an `<x xmlns='jabber:x:data'/>` element. Unknown field types are kept as text-single,
    /// as XEP-0004 §3.3 says a missing type means.
    package init?(_ element: XMLElement) {
        guard element.name == "x", element.namespace == Self.namespace,
            let kind = Kind(rawValue: element.attribute("type") ?? "")
        else { return nil }
        self.kind = kind
        title = element.child("title", namespace: Self.namespace)?.text
        instructions = element.child("instructions", namespace: Self.namespace)?.text
        fields = element.children("field", namespace: Self.namespace).map(DataFormField.init(parsing:))
        extensions = element.elements.filter { !["title", "instructions", "field"].contains($0.name) || $0.namespace != Self.namespace }
    }

    /// The `<x/>` element.
    package var element: XMLElement {
        XMLElement("x", namespace: Self.namespace, attributes: ["type": kind.rawValue]) {
            if let title { XMLElement("title", text: title) }
            if let instructions { XMLElement("instructions", text: instructions) }
            fields.map(\.element)
            extensions
        }
    }
}

/// One field of a data form.
package struct DataFormField: Sendable, Hashable {
    package enum FieldType: String, Sendable, Hashable {
        case boolean, fixed, hidden
        case jidMulti = "jid-multi", jidSingle = "jid-single"
        case listMulti = "list-multi", listSingle = "list-single"
        case textMulti = "text-multi", textPrivate = "text-private", textSingle = "text-single"
    }

    package struct Option: Sendable, Hashable {
        package var label: String?
        package var value: String
        package init(_ value: String, label: String? = nil) {
            self.value = value
            self.label = label
        }
    }

    /// `var`; nil only for `fixed` fields.
    package var variable: String?
    package var type: FieldType?
    package var label: String?
    package var description: String?
    package var required: Bool
    package var values: [String]
    package var options: [Option]
    /// Children from other namespaces: XEP-0122 `<validate/>`, XEP-0336 `<notSame/>`, ...
    package var extensions: [XMLElement]

    package init(
        _ variable: String?, type: FieldType? = nil, label: String? = nil, description: String? = nil,
        required: Bool = false, values: [String] = [], options: [Option] = [], extensions: [XMLElement] = []
    ) {
        self.variable = variable
        self.type = type
        self.label = label
        self.description = description
        self.required = required
        self.values = values
        self.options = options
        self.extensions = extensions
    }

    init(parsing element: XMLElement) {
        let ns = DataForm.namespace
        variable = element.attribute("var")
        type = element.attribute("type").flatMap(FieldType.init(rawValue:))
        label = element.attribute("label")
        description = element.child("desc", namespace: ns)?.text
        required = element.child("required", namespace: ns) != nil
        values = element.children("value", namespace: ns).map(\.text)
        options = element.children("option", namespace: ns).map {
            Option($0.child("value", namespace: ns)?.text ?? "", label: $0.attribute("label"))
        }
        extensions = element.elements.filter { $0.namespace != ns }
    }

    /// Whether a boolean field's value is true (`1` or `true`, XEP-0004 §3.3).
    package var boolValue: Bool? {
        switch values.first {
        case "1", "true": true
        case "0", "false": false
        default: nil
        }
    }

    package var element: XMLElement {
        var field = XMLElement("field", namespace: DataForm.namespace)
        if let variable { field.setAttribute("var", variable) }
        if let type { field.setAttribute("type", type.rawValue) }
        if let label { field.setAttribute("label", label) }
        if let description { field.append(XMLElement("desc", text: description)) }
        if required { field.append(XMLElement("required")) }
        for value in values { field.append(XMLElement("value", text: value)) }
        for option in options {
            var element = XMLElement("option") { XMLElement("value", text: option.value) }
            if let label = option.label { element.setAttribute("label", label) }
            field.append(element)
        }
        for extensionElement in extensions { field.append(extensionElement) }
        return field
    }
}
