extension Duration {
    /// Whole milliseconds, rounded down: what `poll`, SQLite and `Timestamp` work in.
    package var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// Whole seconds, rounded up and at least 1: "retry in 3 s" must not say 0.
    package var secondsToWait: Int {
        let (seconds, attoseconds) = components
        return max(1, Int(seconds) + (attoseconds > 0 ? 1 : 0))
    }

    /// `1.4s`, for log lines.
    package var secondsText: String {
        let (seconds, attoseconds) = components
        return "\(seconds).\(attoseconds / 100_000_000_000_000_000)s"
    }

    /// `5 s` or `250 ms`, for messages people read (`timed out after 5 s`).
    package var unitText: String {
        let ms = milliseconds
        return ms % 1000 == 0 ? "\(ms / 1000) s" : "\(ms) ms"
    }
}
