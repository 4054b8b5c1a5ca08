import Testing
import XMLStream
@testable import XEPs

@Suite struct EntityCapabilitiesTests {
    /// XEP-0115 §5.2, the simple example (Exodus).
    static let simple = DiscoInfo(
        identities: [DiscoIdentity(category: "client", type: "pc", name: "Exodus 0.9.1")],
        features: [
            "http://jabber.org/protocol/disco#info", "http://jabber.org/protocol/disco#items",
            "http://jabber.org/protocol/muc", "http://jabber.org/protocol/caps",
        ])

    /// XEP-0115 §5.3, the complex example (Psi, two languages, a software information form),
    /// with identities, features and form fields deliberately out of order.
    static let complex: DiscoInfo = {
        var form = DataForm(.result)
        form.fields = [
            DataFormField("software_version", values: ["0.11"]),
            DataFormField("os", values: ["Mac"]),
            DataFormField("ip_version", type: .textMulti, values: ["ipv6", "ipv4"]),
            DataFormField("software", values: ["Psi"]),
            DataFormField("os_version", values: ["10.5.1"]),
        ]
        form.formType = "urn:xmpp:dataforms:softwareinfo"
        return DiscoInfo(
            identities: [
                DiscoIdentity(category: "client", type: "pc", name: "Psi 0.11", language: "en"),
                DiscoIdentity(category: "client", type: "pc", name: "Ψ 0.11", language: "el"),
            ],
            features: [
                "http://jabber.org/protocol/muc", "http://jabber.org/protocol/disco#info",
                "http://jabber.org/protocol/caps", "http://jabber.org/protocol/disco#items",
            ],
            forms: [form])
    }()

    /// Not from the spec: the digest's extra check, an IoT bot.
    static let bot = DiscoInfo(
        identities: [DiscoIdentity(category: "client", type: "bot", name: "IoT Agent")],
        features: [
            "urn:xmpp:ping", "urn:xmpp:iot:sensordata", "urn:xmpp:iot:control", "jabber:iq:version",
            "http://jabber.org/protocol/commands", "http://jabber.org/protocol/disco#items",
            "http://jabber.org/protocol/disco#info", "http://jabber.org/protocol/caps",
        ])

    struct Vector: Sendable, CustomTestStringConvertible {
        var name: String
        var info: DiscoInfo
        var string: String
        var ver: String
        var testDescription: String { name }
    }

    static let vectors = [
        Vector(
            name: "spec simple", info: simple,
            string: "client/pc//Exodus 0.9.1<http://jabber.org/protocol/caps<http://jabber.org/protocol/disco#info<"
                + "http://jabber.org/protocol/disco#items<http://jabber.org/protocol/muc<",
            ver: "QgayPKawpkPSDYmwT/WM94uAlu0="),
        Vector(
            name: "spec complex", info: complex,
            string: "client/pc/el/Ψ 0.11<client/pc/en/Psi 0.11<http://jabber.org/protocol/caps<"
                + "http://jabber.org/protocol/disco#info<http://jabber.org/protocol/disco#items<"
                + "http://jabber.org/protocol/muc<urn:xmpp:dataforms:softwareinfo<ip_version<ipv4<ipv6<os<Mac<"
                + "os_version<10.5.1<software<Psi<software_version<0.11<",
            ver: "q07IKJEyjvHSyhy//CH0CxmKi8w="),
        Vector(
            name: "digest IoT bot", info: bot,
            string: "client/bot//IoT Agent<http://jabber.org/protocol/caps<http://jabber.org/protocol/commands<"
                + "http://jabber.org/protocol/disco#info<http://jabber.org/protocol/disco#items<jabber:iq:version<"
                + "urn:xmpp:iot:control<urn:xmpp:iot:sensordata<urn:xmpp:ping<",
            ver: "StlF+l/786sCscSUHGcBK+cq1r0="),
    ]

    @Test(arguments: vectors) func verificationStringAndHash(_ vector: Vector) {
        #expect(EntityCapabilities.verificationString(vector.info) == vector.string)
        #expect(EntityCapabilities(node: "n", info: vector.info).ver == vector.ver)
    }

    @Test func sortsByOctetsNotByUnicodeCollation() {
        // 'Z' (0x5A) sorts before 'a' (0x61) by octets; 'é' (0xC3 0xA9) after 'z'.
        let info = DiscoInfo(identities: [DiscoIdentity(category: "client", type: "bot")], features: ["é", "a", "Z", "z"])
        #expect(EntityCapabilities.verificationString(info) == "client/bot//<Z<a<z<é<")
    }

    @Test func keepsEveryFactorAsItIs() {
        // A '&lt;' in a value stays four characters: nothing is escaped or unescaped.
        let info = DiscoInfo(identities: [DiscoIdentity(category: "client", type: "bot", name: "a&lt;b")], features: ["x"])
        #expect(EntityCapabilities.verificationString(info) == "client/bot//a&lt;b<x<")
    }

    @Test func ignoresFormsWithoutAHiddenFormType() {
        var visible = DataForm(.result, fields: [DataFormField("FORM_TYPE", values: ["urn:visible"]), DataFormField("a", values: ["1"])])
        visible.title = "not hashed"
        let untyped = DataForm(.result, fields: [DataFormField("b", values: ["2"])])
        let info = DiscoInfo(identities: [DiscoIdentity(category: "client", type: "bot")], features: ["f"], forms: [visible, untyped])
        #expect(EntityCapabilities.verificationString(info) == "client/bot//<f<")
    }

    @Test func sortsFormsByFormType() {
        var b = DataForm(.result, fields: [DataFormField("y", values: ["2"])])
        b.formType = "urn:b"
        var a = DataForm(.result, fields: [DataFormField("x", values: ["1"])])
        a.formType = "urn:a"
        let info = DiscoInfo(identities: [DiscoIdentity(category: "client", type: "bot")], features: ["f"], forms: [b, a])
        #expect(EntityCapabilities.verificationString(info) == "client/bot//<f<urn:a<x<1<urn:b<y<2<")
    }

    @Test func elementCarriesHashNodeAndVer() {
        let caps = EntityCapabilities(node: "https://kinglet.invalid/caps", info: Self.simple)
        #expect(caps.element.serialized() == "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='https://kinglet.invalid/caps' ver='QgayPKawpkPSDYmwT/WM94uAlu0='/>")
        #expect(caps.discoNode == "https://kinglet.invalid/caps#QgayPKawpkPSDYmwT/WM94uAlu0=")
    }
}
