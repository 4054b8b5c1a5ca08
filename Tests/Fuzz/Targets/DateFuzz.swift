import Support

/// XEP-0082 dates (`xs:dateTime`), as they arrive in XEP-0323 `from`/`to`/`when` and in
/// `<delay/>` stamps: any text gives a time or nil, and a time written out reads back as
/// the same instant.
///
/// Input: the text.
enum DateFuzz: FuzzTarget {
    static let name = "dates"

    static func run(_ bytes: [UInt8]) {
        guard let time = Timestamp(xsDateTime: String(decoding: bytes, as: UTF8.self)) else { return }
        let written = time.xsDateTime
        guard let again = Timestamp(xsDateTime: written) else {
            preconditionFailure("\(written) (from \(time.millisecondsSinceEpoch) ms) does not read back")
        }
        precondition(again == time, "\(written) reads back as \(again.millisecondsSinceEpoch), not \(time.millisecondsSinceEpoch) ms")
    }
}
