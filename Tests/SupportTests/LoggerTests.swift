import Foundation
import Support
import Testing

@Suite struct LoggerTests {
    @Test func linesCarryTheSyslogPriorityOnlyForTheJournal() {
        let log = Logger("session")
        #expect(log.line(.info, "online") == "INFO  session: online\n")
        #expect(log.line(.info, "online", priorityPrefix: true) == "<6>INFO  session: online\n")
        #expect(log.line(.warning, "a\nb", priorityPrefix: true) == "<4>WARN  session: a b\n")
        #expect(log.line(.error, "x", priorityPrefix: true).hasPrefix("<3>ERROR "))
        #expect(log.line(.debug, "x", priorityPrefix: true).hasPrefix("<7>DEBUG "))
        let stamped = log.line(.info, "x", timestamp: Timestamp(secondsSinceEpoch: 0))
        #expect(stamped == "INFO  1970-01-01T00:00:00Z session: x\n")
    }

    @Test func journalStreamMatchesTheDeviceAndInodeOfTheDescriptor() throws {
        let path = NSTemporaryDirectory() + "kinglet-journal-\(UUID().uuidString)"
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        var st = stat()
        #expect(fstat(fd, &st) == 0)
        #expect(JournalStream.matches("\(st.st_dev):\(st.st_ino)", fd: fd))
        #expect(!JournalStream.matches("\(st.st_dev):\(st.st_ino + 1)", fd: fd))
        #expect(!JournalStream.matches("\(st.st_dev)", fd: fd))
        #expect(!JournalStream.matches("x:y", fd: fd))
        #expect(!JournalStream.matches("\(st.st_dev):\(st.st_ino)", fd: -1))
    }
}

@Suite struct ProgressMeterTests {
    @Test func busyWhileWorkIsUnfinished() {
        let meter = ProgressMeter()
        #expect(meter.reading == ProgressMeter.Reading(begun: 0, finished: 0))
        #expect(!meter.reading.busy)
        meter.begin()
        meter.begin()
        #expect(meter.reading.busy)
        meter.finish()
        #expect(meter.reading == ProgressMeter.Reading(begun: 2, finished: 1))
        meter.finish()
        #expect(!meter.reading.busy)
    }
}
