import Testing
@testable import XMLStream

/// What a server sends a connected client (Prosody-shaped): header, features, bind result, chat,
/// a XEP-0323 readout request, presence with caps, a PEP event with sensor data, an SM request,
/// a whitespace keepalive, a roster push, CDATA, prefixed names, and the close.
enum Fixtures {
    static let header =
        "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
        + "id='c2s-4f1a' from='example.org' version='1.0' xml:lang='en'>"

    static let stanzas = [
        "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><required/></bind>"
            + "<session xmlns='urn:ietf:params:xml:ns:xmpp-session'><optional/></session><sm xmlns='urn:xmpp:sm:3'/>"
            + "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='http://prosody.im' ver='q07IKJEyjvHSyhy//CH0CxmKi8w='/>"
            + "</stream:features>",
        "<iq type='result' id='b1' to='dev@example.org/kinglet'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
            + "<jid>dev@example.org/kinglet</jid></bind></iq>",
        "<message from='alice@example.org/phone' to='dev@example.org/kinglet' type='chat' id='m1' xml:lang='de'>"
            + "<body>read temp &amp; humidity &lt;now&gt; – grüß dich 🌡</body>"
            + "<active xmlns='http://jabber.org/protocol/chatstates'/></message>",
        "<iq type='get' id='S1' from='alice@example.org/phone' to='dev@example.org/kinglet'>"
            + "<req xmlns='urn:xmpp:iot:sensordata' seqnr='1' momentary='true'><field name='Temperature'/></req></iq>",
        "<presence from='alice@example.org/phone'><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' "
            + "node='https://gajim.org' ver='T7fOZrtBnV8sDA2fFTS59vBhPU4='/><x xmlns='vcard-temp:x:update'><photo/></x></presence>",
        "<message from='sensor-2@example.org' to='dev@example.org/kinglet'>"
            + "<event xmlns='http://jabber.org/protocol/pubsub#event'><items node='urn:xmpp:iot:sensordata'><item id='r7'>"
            + "<fields xmlns='urn:xmpp:iot:sensordata' seqnr='7' done='true'><node nodeId='Dev01'>"
            + "<timestamp value='2024-01-01T12:00:00Z'>\n  <numeric name='Temperature' momentary='true' "
            + "automaticReadout='true' value='23.4' unit='°C'/>\n  <boolean name='Door' status='true' value='false'/>\n"
            + "</timestamp></node></fields></item></items></event>"
            + "<delay xmlns='urn:xmpp:delay' stamp='2024-01-01T12:00:00Z'/></message>",
        "<r xmlns='urn:xmpp:sm:3'/>",
        "<iq type='set' id='push1'><query xmlns='jabber:iq:roster' ver='v9'><item jid='bob@example.org' "
            + "subscription='both' name='Bob &apos;the builder&apos; &amp; co'><group>Friends</group></item></query></iq>",
        "<message type='chat'><body>x <![CDATA[< y && ]]>z]]&gt;</body><x:info xmlns:x='urn:example:x' x:kind='a'/></message>",
    ]

    /// The whole stream as the server writes it, with a keepalive space between two stanzas.
    static let stream: [UInt8] = {
        var text = header
        for (i, stanza) in stanzas.enumerated() {
            text += stanza
            if i == 5 { text += " " }
        }
        return Array((text + "</stream:stream>").utf8)
    }()

    /// The events of `stream` fed whole.
    static func parseWhole(_ bytes: [UInt8] = stream, limits: XMLStreamLimits = XMLStreamLimits()) throws(XMLStreamError) -> [StreamEvent] {
        try LibXML2StreamParser(limits: limits).feed(bytes)
    }

    /// Feeds `bytes` in pieces of the given sizes (the last piece takes the rest).
    static func parse(
        _ bytes: [UInt8], pieces sizes: [Int], parser: LibXML2StreamParser = LibXML2StreamParser()
    ) throws(XMLStreamError) -> [StreamEvent] {
        var events = [StreamEvent]()
        var offset = 0
        for size in sizes where offset < bytes.count {
            let end = min(bytes.count, offset + size)
            events += try parser.feed(Array(bytes[offset..<end]))
            offset = end
        }
        if offset < bytes.count { events += try parser.feed(Array(bytes[offset...])) }
        return events
    }

    /// The elements among `events`.
    static func elements(_ events: [StreamEvent]) -> [XMLElement] {
        events.compactMap { if case .element(let element) = $0 { element } else { nil } }
    }

    /// A stream header plus `body`, as bytes.
    static func streamBytes(_ body: String) -> [UInt8] {
        Array((header + body).utf8)
    }

    /// The condition `feed` fails with, or nil when it does not fail.
    static func failure(_ bytes: [UInt8], limits: XMLStreamLimits = XMLStreamLimits()) -> XMLStreamError.Condition? {
        do {
            _ = try LibXML2StreamParser(limits: limits).feed(bytes)
            return nil
        } catch {
            return error.condition
        }
    }
}

/// A small deterministic generator (SplitMix64), so randomized tests can be replayed by seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
