import Store
import Support
import Synchronization
import XEPs
import XMPPCore

/// Writes each reading once: a ledger of sequence ranges per device drops batches seen before.
/// Gaps that a fetch of the device's node could not fill are warned of on stderr as they are
/// found, and counted in the summary.
final class ExportWriter: Sendable {
    private struct State {
        var ledgers: [JID: SequenceLedger] = [:]
        var tally = ExportTally()
    }

    private let format: ExportFormat
    private let state = Mutex(State())

    init(format: ExportFormat) {
        self.format = format
        if format == .csv { writeAll(fd: 1, Array(ConsoleOutput.exportHeader.utf8)) }
    }

    /// Writes the batch's readings unless written before; true when numbers before it are missing.
    func write(_ device: JID, _ batch: PublishedBatch) -> Bool {
        let range = batch.first...batch.last
        let (new, gap) = state.withLock { state in
            let gap = state.ledgers[device]?.followsGap(range) ?? false
            let new = state.ledgers[device, default: SequenceLedger()].record(range) != nil
            if new { state.tally.wrote(batch.readings.count, for: device) }
            return (new, gap)
        }
        guard new else { return false }
        var text = ""
        for index in batch.readings.indices { text += ConsoleOutput.exportLine(device, batch, index: index, format: format) }
        writeAll(fd: 1, Array(text.utf8))
        return gap
    }

    /// After `device`'s node was fetched (its oldest batch starting at `oldestHeld`, nil when it
    /// held none): warns of each gap before that, which nothing can fill any more.
    func settle(_ device: JID, oldestHeld: UInt64?) {
        let lost = state.withLock { state in
            state.tally.lose(state.ledgers[device]?.gaps(before: oldestHeld) ?? [], at: device)
        }
        for gap in lost { printError(ExportTally.warning(device, gap)) }
    }

    /// The summary, on stderr: readings, devices, and what was lost.
    func finish() {
        printError(state.withLock { $0.tally.summary })
    }
}
