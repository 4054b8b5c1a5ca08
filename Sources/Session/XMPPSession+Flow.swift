import Transport

extension XMPPSession {
    /// Waits until the link has room for bulk data (readout answers, page by page): the output
    /// not yet written is at or below its low water mark and what the server has not yet
    /// acknowledged (XEP-0198) is under `bulkInFlight`. Everything else (answers to operators,
    /// published readings) is sent at once, so it never queues behind more than that. Returns
    /// false when the session is offline: the caller gives up.
    package func waitForBulkRoom() async -> Bool {
        while true {
            guard isOnline, let connection else { return false }
            if hasBulkRoom(connection) { return true }
            await withCheckedContinuation { bulkWaiters.append($0) }
        }
    }

    /// Bytes sent under XEP-0198 that the server has not acknowledged yet.
    var unacknowledgedBytes: Int {
        streamManagement.unacknowledged.reduce(0) { $0 + $1.bytes.count }
    }

    private func hasBulkRoom(_ connection: Connection) -> Bool {
        connection.unsentBytes <= configuration.outputBuffer / 4 && unacknowledgedBytes < configuration.bulkInFlight
    }

    /// The link drained, the server acknowledged, or the session went offline: every waiting
    /// bulk sender looks again.
    func wakeBulkSenders() {
        guard !bulkWaiters.isEmpty else { return }
        let waiting = bulkWaiters
        bulkWaiters.removeAll()
        for waiter in waiting { waiter.resume() }
    }
}
