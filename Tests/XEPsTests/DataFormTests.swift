import Testing
import XMLStream
@testable import XEPs

@Suite struct DataFormTests {
    @Test func roundTripsThroughXML() throws {
        var form = DataForm(.form, title: "Set a control", instructions: "Pick one")
        form.formType = "urn:example:form"
        form.fields.append(DataFormField("relay", type: .boolean, label: "Relay", required: true, values: ["1"]))
        form.fields.append(DataFormField("mode", type: .listSingle, values: ["auto"], options: [.init("auto", label: "Automatic"), .init("off")]))
        form.fields.append(DataFormField(nil, type: .fixed, values: ["A note & <more>"]))
        let xml = form.element.serialized()
        let parsed = try #require(DataForm(try XMLElement(parsing: xml)))
        #expect(parsed == form)
        #expect(parsed.formType == "urn:example:form")
        #expect(parsed.field("relay")?.boolValue == true)
        #expect(parsed.value("mode") == "auto")
    }

    @Test func readsASubmittedForm() throws {
        let submitted = try XMLElement(parsing: """
            <x xmlns='jabber:x:data' type='submit'>
              <field var='FORM_TYPE' type='hidden'><value>urn:x</value></field>
              <field var='dimmer'><value>42</value></field>
              <field var='flags'><value>a</value><value>b</value></field>
            </x>
            """)
        let form = try #require(DataForm(submitted))
        #expect(form.kind == .submit)
        #expect(form.formType == "urn:x")
        #expect(form.value("dimmer") == "42")
        #expect(form.field("flags")?.values == ["a", "b"])
        #expect(form.field("dimmer")?.type == nil)
    }

    @Test func rejectsOtherElements() throws {
        #expect(DataForm(try XMLElement(parsing: "<x xmlns='jabber:x:oob'/>")) == nil)
        #expect(DataForm(try XMLElement(parsing: "<x xmlns='jabber:x:data' type='bogus'/>")) == nil)
    }

    @Test func keepsForeignChildrenOfFields() throws {
        let xml = """
            <x xmlns='jabber:x:data' type='form'><field var='dimmer' type='text-single'>\
            <validate xmlns='http://jabber.org/protocol/xdata-validate' datatype='xs:int'><range min='0' max='100'/></validate>\
            </field></x>
            """
        let form = try #require(DataForm(try XMLElement(parsing: xml)))
        #expect(form.field("dimmer")?.extensions.first?.name == "validate")
        #expect(DataForm(try XMLElement(parsing: form.element.serialized())) == form)
    }
}
