extension Duration {
    /// Whole milliseconds, rounded down: what `poll`, SQLite and `Timestamp` work in.
    package var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// `1.4s`, for log lines.
    package var secondsText: String {
        let (seconds, attoseconds) = components
        return "\(seconds).\(attoseconds / 100_000_000_000_000_000)s"
    }
}
