import Agent
import Dispatch
import Glibc
import Devices
import Readings
import Session
import Store
import Support
import TOML
import XEPs
import XMLStream
import XMPPCore

/// The stanza router with every feature the agent wires in (`AgentFeatures`: readout, control
/// by IQ and by message, ad-hoc commands, chat, disco, version, ping, last activity, roster
/// pushes, subscriptions), fed stanzas from an operator, a viewer, a stranger and the server.
/// No network: replies go to a recorder. The features live across inputs, as in a running agent,
/// so fuzzing also finds state that grows without bound.
///
/// Input: records of one byte (who sends: 0 alice, operator; 1 bob, viewer; 2 mallory, stranger;
/// 3 the server, no `from`), a two-byte length and that many bytes of one stanza's XML. The
/// sender's `from` replaces whatever the stanza says, as the server does.
///
/// Invariants, beyond not crashing:
/// - an IQ get or set gets one answer (exactly one for an operator or a viewer, at most one for a
///   stranger), addressed back, with its id; a result or error is never answered;
/// - a stranger gets no IQ result and no sensor data;
/// - neither a viewer nor a stranger changes a control.
enum RouterFuzz: FuzzTarget {
    static let name = "router"

    static let senders = [
        try! JID("alice@example.org/phone"), try! JID("bob@example.org/laptop"), try! JID("mallory@evil.example/x"),
    ]
    static let ownJID = try! JID("sensor@example.org/kinglet")

    /// Where the router's and the handlers' stanzas go.
    actor Recorder: StanzaSender {
        private(set) var sent: [XMLElement] = []
        func send(_ stanza: XMLElement, tag: StanzaTag?) async -> Bool {
            sent.append(stanza)
            return true
        }
        func take() -> [XMLElement] {
            defer { sent.removeAll() }
            return sent
        }
    }

    struct World: Sendable {
        let features: AgentFeatures
        let device: Device
        let recorder: Recorder
        let clock: ManualClock
    }

    static let world: World = blocking {
        let text = """
            [xmpp]
            jid = "sensor@example.org"
            password = "fuzz"
            [device]
            profile = "simulated"
            [access]
            operators = ["alice@example.org"]
            viewers = ["bob@example.org"]
            [store]
            path = "/tmp/kinglet-fuzz-router-\(getpid()).db"
            synchronous = "off"
            history_max_readings = 100
            """
        let configuration = try! AgentConfiguration(document: TOMLDocument.parse(text, file: "fuzz.toml"))
        let session = try! XMPPSession(configuration: configuration.xmpp.sessionConfiguration())
        let store = try! await ReadingStore(configuration: configuration.store)
        let device = Device(profile: configuration.device.profile)
        // Stored readings for historical readouts.
        for i in 0..<20 {
            let time = Timestamp(secondsSinceEpoch: 1_700_000_000 + Int64(i))
            await store.append(ReadingBatch([Reading(sequence: UInt64(i + 1), name: "temperature", value: .numeric(20, decimals: 1), unit: "°C", timestamp: time)]))
        }
        let recorder = Recorder()
        let clock = ManualClock()
        let features = AgentFeatures(
            configuration: configuration, session: session, sender: recorder, ownJID: { ownJID }, device: device,
            store: store, lifecycle: NoRestart(), clock: clock)
        return World(features: features, device: device, recorder: recorder, clock: clock)
    }

    struct NoRestart: AgentLifecycle {
        func requestRestart(by requester: JID) {}
    }

    static func run(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        var stanzas: [(Int, XMLElement)] = []
        while !input.isAtEnd, stanzas.count < 32 {
            let who = Int(input.byte() % 4)
            let text = String(decoding: input.take(input.uint16()), as: UTF8.self)
            guard var stanza = try? XMLElement(parsing: text) else { continue }
            stanza.setAttribute("from", who < 3 ? senders[who].description : nil)
            stanzas.append((who, stanza))
        }
        let world = world
        let routed = stanzas
        blocking {
            for (who, stanza) in routed { await route(stanza, from: who, in: world) }
            // Scheduled readouts (`when`) come due; they answer in the background.
            world.clock.advance(by: .seconds(3600))
        }
    }

    static func route(_ stanza: XMLElement, from who: Int, in world: World) async {
        let controls = Set(world.device.controls.map(\.name))
        let before = who == 1 || who == 2 ? await world.device.currentReadings(names: controls).map(\.value) : []
        _ = await world.recorder.take()
        await world.features.router.route(stanza)
        let sent = await world.recorder.take()
        if stanza.name == "iq", let type = stanza.attribute("type") {
            let answers = sent.filter { $0.name == "iq" && $0.attribute("id") == stanza.attribute("id") && ["result", "error"].contains($0.attribute("type")) }
            if type == "get" || type == "set" {
                precondition(answers.count <= 1, "\(answers.count) answers to one IQ: \(stanza.serialized())")
                precondition(who == 2 || who == 3 || answers.count == 1, "an IQ left unanswered: \(stanza.serialized())")
                if who < 3, let answer = answers.first {
                    precondition(answer.attribute("to") == senders[who].description, "an answer sent elsewhere: \(answer.serialized())")
                }
            } else {
                precondition(answers.isEmpty, "a \(type) IQ was answered: \(stanza.serialized())")
            }
        }
        if who == 2 {
            for reply in sent where reply.attribute("to") == senders[2].description {
                precondition(!(reply.name == "iq" && reply.attribute("type") == "result"), "a stranger got a result: \(reply.serialized())")
                precondition(!contains(reply, namespace: "urn:xmpp:iot:sensordata"), "a stranger got sensor data: \(reply.serialized())")
            }
        }
        if who == 1 || who == 2 {
            let after = await world.device.currentReadings(names: controls).map(\.value)
            precondition(after == before, "\(who == 1 ? "a viewer" : "a stranger") changed a control: \(stanza.serialized())")
        }
    }

    static func contains(_ element: XMLElement, namespace: String) -> Bool {
        element.namespace == namespace || element.elements.contains { contains($0, namespace: namespace) }
    }
}

/// Runs async work to completion from synchronous code (libFuzzer's callback).
func blocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
    let done = DispatchSemaphore(value: 0)
    let result = ResultBox<T>()
    Task {
        result.value = await body()
        done.signal()
    }
    done.wait()
    return result.value!
}

/// Carries a value out of the task `blocking` waits for; the semaphore orders the accesses.
final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
