package import Devices
package import Readings
package import Store
package import Support
package import XMLStream
package import XMPPCore

/// Which readings a readout wants: by name, by live field type, and whether stored history is
/// included. XEP-0323 requests, ad-hoc "Read sensors" and chat `read` all choose readings with it.
package struct ReadoutSelection: Sendable, Hashable {
    /// Only these fields; `nil` for every field.
    package var names: Set<String>?
    /// The live field types wanted; empty when only history is asked for.
    package var types: Set<FieldType>
    /// Include readings from the store (`ReadingStore.history`), stamped within `from...to`.
    package var history: Bool
    package var from: Timestamp?
    package var to: Timestamp?

    /// Every live reading, no history.
    package static let everything = ReadoutSelection(names: nil, types: Set(FieldType.allCases))

    package init(names: Set<String>? = nil, types: Set<FieldType>, history: Bool = false, from: Timestamp? = nil, to: Timestamp? = nil) {
        self.names = names
        self.types = types
        self.history = history
        self.from = from
        self.to = to
    }

    /// The current readings it selects, at once: sensors' latest values (failed ones without a
    /// value) and the controls' values, never waiting on a source.
    package func live(from device: Device) async -> [Reading] {
        guard !types.isEmpty else { return [] }
        return await device.currentReadings(names: names, types: types == Set(FieldType.allCases) ? nil : types)
    }

    /// The stored readings it selects, oldest first, at most `limit`; none when `history` is off.
    package func stored(from store: ReadingStore, limit: Int) async throws(StoreError) -> [Reading] {
        guard history else { return [] }
        return try await store.history(from: from, to: to, names: names, limit: limit)
    }
}

extension ReadoutSelection {
    /// The XEP-0323 field-type flags of a `<req/>` and its `<field name/>` children:
    /// - `momentary`, `peak`, `status`, `computed`, `identity` ask for those live types;
    /// - `historical`, any `historical…` flag, `from` or `to` ask for stored readings;
    /// - `all` asks for every live type (and for history when `from` or `to` bounds it);
    /// - no type flag at all means every live type, since flags only narrow a readout.
    /// Fails with `bad-request` naming an attribute that is not an xs:dateTime.
    package init(request req: XMLElement) throws(StanzaError) {
        let flag = { (name: String) in SensorDataXML.isTrue(req.attribute(name)) }
        let fieldNames = req.children("field", namespace: SensorDataXML.namespace).compactMap { $0.attribute("name") }
        let from = try Self.time(req, "from")
        let to = try Self.time(req, "to")
        let all = flag("all")
        let explicit = Set(FieldType.allCases.filter { flag($0.rawValue) })
        let historical = flag("historical") || Self.historicalFlags.contains { flag($0) }
        // `from`/`to` only mean something for history: alone (or with `all`) they ask for it.
        let history = historical || ((from != nil || to != nil) && (all || explicit.isEmpty))
        let types = all || (explicit.isEmpty && !history) ? Set(FieldType.allCases) : explicit
        self.init(names: fieldNames.isEmpty ? nil : Set(fieldNames), types: types, history: history, from: from, to: to)
    }

    private static func time(_ req: XMLElement, _ name: String) throws(StanzaError) -> Timestamp? {
        guard let text = req.attribute(name) else { return nil }
        guard let time = Timestamp(xsDateTime: text) else {
            throw StanzaError(.badRequest, text: "'\(name)' is not an xs:dateTime: \(text)")
        }
        return time
    }

    static let historicalFlags = [
        "historicalSecond", "historicalMinute", "historicalHour", "historicalDay", "historicalWeek",
        "historicalMonth", "historicalQuarter", "historicalYear", "historicalOther",
    ]
}

