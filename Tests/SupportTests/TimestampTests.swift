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

    /// Found by fuzzing (Tests/Fuzz/Corpus/dates): a leap second on the last day of 9999 was
    /// read as a time in year 10000, which is written with five digits and does not read back.
    /// Days past the month's end (February 31st), offsets beyond ±14:00 and years outside
    /// 0001-9999 are refused rather than silently moved.
    @Test(arguments: [
        "9999-12-31T23:59:60.196912", "9999-12-31T23:59:59-00:01", "0001-01-01T00:00:00+00:01", "0000-06-01T00:00:00Z",
        "2021-02-29T00:00:00Z", "2024-02-30T00:00:00Z", "2024-04-31T00:00:00Z", "2024-01-01T00:00:00+14:01",
        "2024-01-01T00:00:00+01:60",
    ])
    func refusesDatesItCouldNotWriteBack(text: String) {
        #expect(Timestamp(xsDateTime: text) == nil)
    }

    @Test(arguments: ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "2024-02-29T12:00:00Z", "2016-12-31T23:59:60Z"])
    func readsBackWhatItWrites(text: String) throws {
        let time = try #require(Timestamp(xsDateTime: text))
        #expect(Timestamp(xsDateTime: time.xsDateTime) == time)
    }
}
