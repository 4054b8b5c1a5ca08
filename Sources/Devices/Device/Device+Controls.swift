import Support
package import Readings

/// A value that has passed its control's type and limit checks, in the control's own type. Only
/// `Device.validate` makes one, so `Device.apply` never writes a value nobody checked.
package struct ValidatedControlValue: Sendable, Hashable {
    package let name: String
    package let value: ControlValue
    /// The control's place in the profile (and in the device's slots).
    let index: Int
}

extension Device {
    /// The control named `name`, or `unknownParameter`.
    package nonisolated func control(named name: String) throws(ControlError) -> ControlDefinition {
        try controls[controlIndex(name)]
    }

    /// The one place a control value is checked: the control must exist, and the value must fit
    /// its type and limits. Every error names the parameter; nothing is applied.
    package nonisolated func validate(_ name: String, _ value: ControlValue) throws(ControlError) -> ValidatedControlValue {
        let index = try controlIndex(name)
        return ValidatedControlValue(name: name, value: try controls[index].validate(value), index: index)
    }

    private nonisolated func controlIndex(_ name: String) throws(ControlError) -> Int {
        guard let index = controls.firstIndex(where: { $0.name == name }) else {
            throw ControlError(name, .unknownParameter, "no control named '\(name)'")
        }
        return index
    }

    /// Validates and applies one value (see `apply(_:by:)`).
    package func apply(_ name: String, _ value: ControlValue, by setter: String? = nil) async throws(ControlError) -> ControlValue {
        try await apply(try validate(name, value), by: setter)
    }

    /// Writes a validated value, reads it back where the target allows, and returns the value
    /// now applied. The new value is also published in a batch when it changed. `setter` (a
    /// bare JID, `kinglet set (root)`) is recorded with the value and handed to the state sink
    /// before this returns, so a confirmed set is one that a restart restores; nil records
    /// nothing (tests, tools).
    package func apply(_ change: ValidatedControlValue, by setter: String? = nil) async throws(ControlError) -> ControlValue {
        let (name, index, valid) = (change.name, change.index, change.value)
        let definition = controlSlots[index].definition
        await prepareIfNeeded()
        // What preparing found goes out before the change, so the record shows both.
        emit(pendingControlReadings())
        guard !controlSlots[index].busy else {
            throw ControlError(name, .busy, "a previous set of \(name) is still running")
        }
        controlSlots[index].busy = true
        defer { controlSlots[index].busy = false }
        let result = await perform(index) { target throws(DeviceError) in try target.write(valid, definition) }
        switch result {
        case .failure(let error):
            controlSlots[index].failure = error
            logger.warning("\(name): \(error)")
            throw ControlError(name, .failed, error.description)
        case .success(let readback):
            let applied = readback ?? valid
            settle(index, .success(applied), fallback: applied)
            emit(pendingControlReadings())
            if let setter {
                // The value asked for is what a restart applies again, not its read-back form.
                let state = ControlState(name: name, value: valid, setBy: setter, setAt: clock.wallTime())
                controlSlots[index].lastSet = state
                await stateSink?(state)
            }
            return applied
        }
    }

    /// Hands the device the controls' last values as kept before this start: each control
    /// with `restore = "last"` starts at its value (when it is still valid for the profile as
    /// it is now), and every one shows who set it. Call before `start`.
    package func adopt(_ states: [ControlState]) {
        for state in states {
            guard let index = controlSlots.firstIndex(where: { $0.definition.name == state.name }) else { continue }
            controlSlots[index].lastSet = state
            let definition = controlSlots[index].definition
            guard definition.restore == .last else { continue }
            do {
                controlSlots[index].restoring = try definition.validate(state.value)
            } catch {
                logger.warning("\(definition.name): the last value \(state.value) no longer fits the profile (\(error.message)); starting from the initial value")
            }
        }
    }

    /// Where each control value applied with a setter goes to be kept (the store).
    package func keepStates(_ sink: @escaping @Sendable (ControlState) async -> Void) {
        stateSink = sink
    }

    /// Who set each control last and to what, in profile order; controls never set are left
    /// out.
    package func lastSets() -> [ControlState] {
        controlSlots.compactMap(\.lastSet)
    }

    /// Runs an operation on a control's output: inline when it cannot block, else off the actor
    /// with the output's deadline. One given up at its deadline (a wedged bus) fails, and so does
    /// every later one with the same time-out, until it ends: none pile up.
    func perform<T: Sendable>(
        _ index: Int, _ body: @escaping @Sendable (any ControlOutput) throws(DeviceError) -> T
    ) async -> Result<T, DeviceError> {
        let output = controlSlots[index].output
        if let hung = controlSlots[index].hung { return .failure(hung) }
        guard output.blocking != .never else {
            do throws(DeviceError) {
                return .success(try body(output))
            } catch {
                return .failure(error)
            }
        }
        let work = BoundedWork(limit: output.deadline, clock: clock) { () throws(DeviceError) in try body(output) }
        if let result = await work.result(clock: clock) { return result }
        controlSlots[index].hung = work.timedOut
        Task {
            await work.ended()
            controlSlots[index].hung = nil
        }
        return .failure(work.timedOut)
    }

    /// Records the outcome of a prepare or write: the value read back (or `fallback` when the
    /// target cannot be read), or the failure.
    func settle(_ index: Int, _ result: Result<ControlValue?, DeviceError>, fallback: ControlValue) {
        switch result {
        case .success(let value):
            let new = value ?? controlSlots[index].value ?? fallback
            if new != controlSlots[index].value || controlSlots[index].failure != nil || controlSlots[index].changedAt == nil {
                controlSlots[index].unpublished = true
            }
            controlSlots[index].value = new
            controlSlots[index].failure = nil
            controlSlots[index].changedAt = clock.wallTime()
        case .failure(let error):
            logger.warning("\(controlSlots[index].definition.name): \(error)")
            controlSlots[index].failure = error
            controlSlots[index].unpublished = true
            controlSlots[index].changedAt = clock.wallTime()
        }
    }

    /// Readings of the controls whose value changed since they were last published.
    func pendingControlReadings() -> [Reading] {
        var readings: [Reading] = []
        for index in controlSlots.indices where controlSlots[index].unpublished {
            controlSlots[index].unpublished = false
            readings.append(controlSlots[index].reading(at: clock.wallTime()))
        }
        return readings
    }
}

/// A control and what the device knows of its target.
struct ControlSlot: Sendable {
    let definition: ControlDefinition
    let output: any ControlOutput
    /// The value last applied or read back; nil until the target was prepared.
    var value: ControlValue?
    var changedAt: Timestamp?
    /// Why the last prepare or write failed; cleared by the next success.
    var failure: DeviceError?
    /// A write is running: a second set waits for no one and is refused.
    var busy = false
    /// An operation given up at its deadline, still running on its thread: its time-out.
    var hung: DeviceError?
    /// The value changed and has not been published yet.
    var unpublished = false
    /// Why there is no value yet, when that is not a failure.
    var note: String?
    /// The last value set, by whom and when (from the store at start, then each set).
    var lastSet: ControlState?
    /// The value the output starts at instead of `initial` (`restore = "last"`).
    var restoring: ControlValue?

    init(definition: ControlDefinition, output: any ControlOutput) {
        self.definition = definition
        self.output = output
    }

    /// The control as a readout field: its value, or the failure when it has none or the
    /// last write failed.
    func reading(at now: Timestamp) -> Reading {
        let stamp = changedAt ?? now
        if let failure {
            return Reading(
                name: definition.name, value: nil, unit: definition.unit, fieldType: definition.fieldType, qos: .error,
                timestamp: stamp, errorText: failure.description, writable: true)
        }
        guard let value else {
            return Reading(
                name: definition.name, value: nil, unit: definition.unit, fieldType: definition.fieldType,
                qos: [.missing, .inProgress], timestamp: now, errorText: note ?? "not ready yet", writable: true)
        }
        return definition.reading(value, at: stamp)
    }
}
