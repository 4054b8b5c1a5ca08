import Support
import XMLStream
import XMPPCore

/// A whole stream negotiation with the input as the server: its bytes go through the stream
/// parser into the negotiation state machine (STARTTLS, SASL with SCRAM, PLAIN or EXTERNAL,
/// XEP-0198 resumption, binding, enabling), the actions are carried out as the session would
/// (a restart resets the parser; TLS "succeeds" at once), and once online the rest feeds
/// XEP-0198 acknowledgements and requests.
///
/// Input: one byte of settings (bit 0: direct TLS; 1: a session to resume; 2: a client
/// certificate; 3: no password; 4: stream management off), then segments of a two-byte length
/// and that many bytes, each fed to the parser as one read from the socket.
enum NegotiationFuzz: FuzzTarget {
    static let name = "negotiation"

    static let account = try! JID("user@example.org")

    static func run(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        let settings = input.byte()
        var negotiator = StreamNegotiator(
            settings: StreamNegotiator.Settings(
                jid: account, resource: "kinglet",
                password: settings & 8 != 0 && settings & 4 != 0 ? nil : Secret("pencil"),
                hasClientCertificate: settings & 4 != 0, enableStreamManagement: settings & 16 == 0,
                resumption: settings & 2 != 0 ? ("sm-1", 5, try! JID("user@example.org/kinglet")) : nil,
                clientNonce: "fyko+d2lbbFgONRv9qkxdawL"),
            secure: settings & 1 != 0)
        var client = Client()
        _ = negotiator.start()
        let parser = LibXML2StreamParser(limits: XMLStreamLimits(maxStanzaBytes: 16 << 10, maxDepth: 32))
        while !input.isAtEnd {
            let segment = input.take(input.uint16())
            let events: [StreamEvent]
            do throws(XMLStreamError) {
                events = try parser.feed(segment)
            } catch {
                return
            }
            do throws(NegotiationError) {
                for event in events {
                    guard try client.handle(event, negotiator: &negotiator) else { continue }
                    parser.reset()  // the stream restarts: what followed belonged to the old one
                    break
                }
            } catch {
                return
            }
        }
    }

    /// What the session does with each event; `handle` returns true when the stream restarts.
    struct Client {
        var online = false
        var management: StreamManagementState<Int>?

        mutating func handle(_ event: StreamEvent, negotiator: inout StreamNegotiator) throws(NegotiationError) -> Bool {
            switch event {
            case .opened:
                if !online { try negotiator.streamOpened() }
                return false
            case .closed:
                return false
            case .element(let element):
                if online {
                    handleOnline(element)
                    return false
                }
                return try perform(negotiator.handle(element), negotiator: &negotiator)
            }
        }

        mutating func perform(_ actions: [NegotiationAction], negotiator: inout StreamNegotiator) throws(NegotiationError) -> Bool {
            var restart = false
            for action in actions {
                switch action {
                case .startTLS:
                    restart = try perform(negotiator.tlsEstablished(), negotiator: &negotiator) || restart
                case .restartStream:
                    restart = true
                case .streamManagementEnabled(let id, let resume, let max, let location):
                    var state = StreamManagementState<Int>()
                    state.enabled(id: id, resume: resume, max: max, location: location)
                    management = state
                case .resumed(let h):
                    var state = StreamManagementState<Int>()
                    for item in 0..<8 { state.sent(item) }
                    _ = try? state.resumed(h: h)
                    management = state
                case .resumptionFailed(let h):
                    var state = StreamManagementState<Int>()
                    _ = state.reset(failedH: h)
                case .ready:
                    online = true
                case .openStream, .send, .authenticated:
                    break
                }
            }
            return restart
        }

        /// XEP-0198 while online: `<a h/>` settles what was sent, `<r/>` asks for our count,
        /// and every stanza is counted and answered (one more stanza sent).
        mutating func handleOnline(_ element: XMLElement) {
            guard var state = management else { return }
            defer { management = state }
            if element.namespace == Namespace.streamManagement {
                if element.name == "a", let h = element.attribute("h").flatMap({ UInt32($0) }) {
                    _ = try? state.acknowledge(h)
                }
            } else {
                state.received()
                state.sent(Int(state.outboundCount))
            }
        }
    }
}
