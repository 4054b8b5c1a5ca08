package import Support

/// One value read from one sensor at one time: the unit that flows from a source through the
/// change filter, the outbox and the network. Shaped after an XEP-0323 field.
package struct Reading: Sendable, Hashable {
    /// Rises by one for every reading the agent keeps, across restarts (the store persists it),
    /// so a receiver can order readings and drop duplicates. Zero until the sampler assigns it.
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

/// Readings taken together (one sampler tick): published as one PubSub item whose id is the
/// first reading's sequence number.
package struct ReadingBatch: Sendable, Hashable {
    package var readings: [Reading]
    package init(_ readings: [Reading]) { self.readings = readings }
    /// The batch's stable identity: the sequence number of its first reading.
    package var firstSequence: UInt64 { readings.first?.sequence ?? 0 }
}

/// XEP-0323 field value kinds. The raw values are the XML element names.
package enum ValueType: String, Sendable, Hashable, CaseIterable {
    case numeric, int, long, boolean, string
    case enumeration = "enum"
    case dateTime, duration
}

/// A typed value, as XEP-0323 fields carry it.
package enum FieldValue: Sendable, Hashable {
    /// A double and how many decimals to show: XEP-0323 says the decimals encode precision.
    case numeric(Double, decimals: Int?)
    case int(Int32)
    case long(Int64)
    case boolean(Bool)
    case string(String)
    /// An enum value and its `dataType` (the enum's name).
    case enumeration(String, dataType: String)
    case dateTime(Timestamp)
    /// An xs:duration such as `P1DT2H` or `PT30S`.
    case duration(String)

    package var valueType: ValueType {
        switch self {
        case .numeric: .numeric
        case .int: .int
        case .long: .long
        case .boolean: .boolean
        case .string: .string
        case .enumeration: .enumeration
        case .dateTime: .dateTime
        case .duration: .duration
        }
    }
}

/// XEP-0323 field types. A sensor has one; requests may ask for several.
package enum FieldType: String, Sendable, Hashable, CaseIterable {
    case momentary, peak, status, computed, identity
}

/// XEP-0323 quality-of-service flags. No flag set means `automaticReadout`.
package struct QoS: OptionSet, Sendable, Hashable {
    package let rawValue: UInt16
    package init(rawValue: UInt16) { self.rawValue = rawValue }

    package static let missing = QoS(rawValue: 1 << 0)
    package static let inProgress = QoS(rawValue: 1 << 1)
    package static let automaticEstimate = QoS(rawValue: 1 << 2)
    package static let manualEstimate = QoS(rawValue: 1 << 3)
    package static let manualReadout = QoS(rawValue: 1 << 4)
    package static let automaticReadout = QoS(rawValue: 1 << 5)
    package static let timeOffset = QoS(rawValue: 1 << 6)
    package static let warning = QoS(rawValue: 1 << 7)
    package static let error = QoS(rawValue: 1 << 8)
    package static let signed = QoS(rawValue: 1 << 9)
    package static let invoiced = QoS(rawValue: 1 << 10)
    package static let endOfSeries = QoS(rawValue: 1 << 11)
    package static let powerFailure = QoS(rawValue: 1 << 12)
    package static let invoiceConfirmed = QoS(rawValue: 1 << 13)

    /// The XEP-0323 attribute name of each flag, in the spec's order.
    package static let attributeNames: [(QoS, String)] = [
        (.missing, "missing"), (.inProgress, "inProgress"), (.automaticEstimate, "automaticEstimate"),
        (.manualEstimate, "manualEstimate"), (.manualReadout, "manualReadout"),
        (.automaticReadout, "automaticReadout"), (.timeOffset, "timeOffset"), (.warning, "warning"),
        (.error, "error"), (.signed, "signed"), (.invoiced, "invoiced"), (.endOfSeries, "endOfSeries"),
        (.powerFailure, "powerFailure"), (.invoiceConfirmed, "invoiceConfirmed"),
    ]
}
