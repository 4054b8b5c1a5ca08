import Support
import Testing

@Suite struct TimestampTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00Z"),
        (1_700_000_000_250, "2023-11-14T22:13:20.250Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
        (951_782_400_000, "2000-02-29T00:00:00Z"),
    ])
    func formatsAsXEP0082UTC(milliseconds: Int64, text: String) {
        #expect(Timestamp(millisecondsSinceEpoch: milliseconds).xsDateTime == text)
        #expect(Timestamp(xsDateTime: text)?.millisecondsSinceEpoch == milliseconds)
    }

    /// What peers send: offsets, no zone, and fractions of any length (slixmpp and Python's
    /// isoformat give microseconds). These arrive in XEP-0323 requests from the network.
    @Test(arguments: [
        ("2023-11-14T22:13:20Z", Int64(1_700_000_000_000)),
        ("2023-11-14T22:13:20", 1_700_000_000_000),
        ("2023-11-14T23:13:20+01:00", 1_700_000_000_000),
        ("2023-11-14T21:13:20-01:00", 1_700_000_000_000),
        ("2023-11-14T22:13:20.5Z", 1_700_000_000_500),
        ("2023-11-14T22:13:20.25Z", 1_700_000_000_250),
        ("2023-11-14T22:13:20.123456Z", 1_700_000_000_123),
        ("2023-11-14T22:13:20.123456789+00:00", 1_700_000_000_123),
    ])
    func parsesWhatPeersSend(text: String, milliseconds: Int64) {
        #expect(Timestamp(xsDateTime: text)?.millisecondsSinceEpoch == milliseconds)
    }

    @Test(arguments: [
        "", "2023-11-14", "2023-11-14 22:13:20Z", "2023-13-14T22:13:20Z", "2023-11-14T24:00:00Z",
        "2023-11-14T22:13:20.Z", "2023-11-14T22:13:20+0100", "2023-11-14T22:13:20Zjunk", "2023-11-14T22:13:2xZ",
    ])
    func refusesWhatIsNotADateTime(text: String) {
        #expect(Timestamp(xsDateTime: text) == nil)
    }
}
