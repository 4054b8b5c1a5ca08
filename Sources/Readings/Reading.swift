package import Support

/// One value read from one sensor at one time: the unit that flows from a source through the
/// change filter, the outbox and the network. Shaped after an XEP-0323 field.
package struct Reading: Sendable, Hashable {
    /// Rises by one for every reading the agent keeps, across restarts (the store persists it),
    /// so a receiver can order readings and drop duplicates. Zero until the device assigns it.
    package var sequence: UInt64
    /// The sensor's name in the profile; the XEP-0323 field name.
    package var name: String
    /// `nil` when the source failed; `qos` then holds `.error` and `errorText` says why.
    package var value: FieldValue?
    /// Unit for numeric values (`°C`, `%`, `hPa`); empty when unitless.
    package var unit: String
    package var fieldType: FieldType
    package var qos: QoS
    /// When the value was read, UTC.
    package var timestamp: Timestamp
    /// Why the source failed, for the XEP-0323 `<error>` text and the status line.
    package var errorText: String?
    /// The field is a control's current value: XEP-0323 marks it `writable='true'` and XEP-0325
    /// accepts a parameter of the same name.
    package var writable: Bool

    package init(
        sequence: UInt64 = 0, name: String, value: FieldValue?, unit: String = "", fieldType: FieldType = .momentary,
        qos: QoS = .automaticReadout, timestamp: Timestamp, errorText: String? = nil, writable: Bool = false
    ) {
        self.sequence = sequence
        self.name = name
        self.value = value
        self.unit = unit
        self.fieldType = fieldType
        self.qos = qos
        self.timestamp = timestamp
        self.errorText = errorText
        self.writable = writable
    }

    /// A reading that records a failed source: no value, the `error` QoS flag and a reason.
    /// A stale value is never passed off as fresh.
    package static func failure(
        name: String, unit: String = "", fieldType: FieldType = .momentary, reason: String, at timestamp: Timestamp
    ) -> Reading {
        Reading(name: name, value: nil, unit: unit, fieldType: fieldType, qos: .error, timestamp: timestamp, errorText: reason)
    }

    package var isError: Bool { qos.contains(.error) || value == nil }
}

/// Readings taken together (one device tick): published as one PubSub item whose id is the
/// first reading's sequence number.
package struct ReadingBatch: Sendable, Hashable {
    package var readings: [Reading]
    package init(_ readings: [Reading]) { self.readings = readings }
    /// The batch's stable identity: the sequence number of its first reading.
    package var firstSequence: UInt64 { readings.first?.sequence ?? 0 }
}
