package import Readings
import Support

/// The `control_state` table: one row per control, replaced on every set.
extension OutboxDatabase {
    func controlStates() throws(StoreError) -> [ControlState] {
        let statement = try connection.statement("SELECT name, kind, value, set_by, set_at FROM control_state ORDER BY name")
        defer { statement.reset() }
        var states: [ControlState] = []
        while try statement.step() {
            // A row this build cannot read (a kind from a newer one) is skipped, not fatal.
            guard let value = ControlValue(kind: statement.text(1), text: statement.text(2)) else { continue }
            states.append(
                ControlState(
                    name: statement.text(0), value: value, setBy: statement.text(3),
                    setAt: Timestamp(millisecondsSinceEpoch: statement.int64(4))))
        }
        return states
    }

    /// Replaces the control's row in a transaction of its own, committed before this returns.
    func save(_ state: ControlState) throws(StoreError) {
        let statement = try connection.statement(
            "INSERT OR REPLACE INTO control_state (name, kind, value, set_by, set_at) VALUES (?1, ?2, ?3, ?4, ?5)")
        try statement.bind(1, state.name)
        try statement.bind(2, state.value.kind)
        try statement.bind(3, state.value.description)
        try statement.bind(4, state.setBy)
        try statement.bind(5, state.setAt.millisecondsSinceEpoch)
        try statement.run()
    }
}

extension ReadingStore {
    /// The controls' last set values, as saved; empty when the file cannot be read.
    package func controlStates() -> [ControlState] {
        guard let database else { return [] }
        do {
            return try database.controlStates()
        } catch {
            logger.warning("cannot read the controls' last values: \(error)")
            return []
        }
    }

    /// Saves a control's new value durably (its own transaction, at the file's `synchronous`
    /// level) and returns whether it was saved. A file that cannot be written is logged: the
    /// control keeps working, but will not get this value back after a restart.
    @discardableResult
    package func save(_ state: ControlState) -> Bool {
        guard let database, !machine.closed else {
            logger.warning("\(state.name)=\(state.value) not saved: the outbox file is not open; a restart will not restore it")
            return false
        }
        do {
            try database.save(state)
            return true
        } catch {
            logger.warning("\(state.name)=\(state.value) not saved, so a restart will not restore it: \(error)")
            return false
        }
    }
}
