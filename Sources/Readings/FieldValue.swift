package import Support

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
