import Support

extension FieldValue {
    /// The value as XEP-0323 writes it in `value='…'`: numbers with their decimals
    /// (`23.40`), `true`/`false`, xs:dateTime, xs:duration, text as is.
    package var text: String {
        switch self {
        case .numeric(let d, let decimals): decimals.map { NumberFormat.fixed(d, $0) } ?? NumberFormat.shortest(d)
        case .int(let i): String(i)
        case .long(let l): String(l)
        case .boolean(let b): b ? "true" : "false"
        case .string(let s): s
        case .enumeration(let s, _): s
        case .dateTime(let t): t.xsDateTime
        case .duration(let d): d
        }
    }
}
