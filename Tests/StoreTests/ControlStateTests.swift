import Foundation
import Readings
import Support
import Testing

@testable import Store

/// The controls' last values, kept across restarts.
@Suite("control states")
struct ControlStateTests {
    @Test("each kind of value comes back as it was saved, from a reopened file, one row per control")
    func roundTrip() async throws {
        let directory = TemporaryDirectory()
        let at = Timestamp(millisecondsSinceEpoch: 1_700_000_123_456)
        let states = [
            ControlState(name: "colour", value: .color(Color(red: 255, green: 136, blue: 0, alpha: 128)), setBy: "a@x", setAt: at),
            ControlState(name: "dimmer", value: .int(-40), setBy: "kinglet set (root)", setAt: at),
            ControlState(name: "label", value: .string(" two words "), setBy: "a@x", setAt: at),
            ControlState(name: "level", value: .double(0.1 + 0.2), setBy: "a@x", setAt: at),
            ControlState(name: "mode", value: .enumeration("auto"), setBy: "a@x", setAt: at),
            ControlState(name: "relay", value: .boolean(true), setBy: "bob@example.org", setAt: at),
        ]
        let store = try await ReadingStore(configuration: testConfiguration(directory))
        #expect(await store.controlStates().isEmpty)
        for state in states { #expect(await store.save(state)) }
        // A later set replaces the row.
        let later = ControlState(name: "relay", value: .boolean(false), setBy: "alice@example.org", setAt: at.adding(milliseconds: 5))
        #expect(await store.save(later))
        await store.close()
        #expect(await store.save(later) == false)

        let reopened = try await ReadingStore(configuration: testConfiguration(directory))
        #expect(await reopened.controlStates() == states.dropLast() + [later])
        await reopened.close()
    }

    @Test("a value of a kind this build does not know is skipped, not fatal")
    func unknownKind() async throws {
        #expect(ControlValue(kind: "vector", text: "1,2") == nil)
        #expect(ControlValue(kind: "boolean", text: "on") == nil)
        #expect(ControlValue(kind: "int", text: "4.5") == nil)
        #expect(ControlValue(kind: "color", text: "zz0000") == nil)
        for value: ControlValue in [.boolean(false), .int(Int64.min), .double(-1e-300), .string(""), .enumeration("x"), .color(Color(red: 1, green: 2, blue: 3))] {
            #expect(ControlValue(kind: value.kind, text: value.description) == value)
        }
    }
}
