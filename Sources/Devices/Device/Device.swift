package import Support
package import Readings

/// What a device needs from the world: clocks and where the Linux interfaces live.
package struct DeviceEnvironment: Sendable {
    package var clock: any AgentClock
    package var paths: HostPaths
    /// Replaces the profile's seed (simulator and jitter) when set.
    package var seed: UInt64?

    package init(clock: any AgentClock = SystemClock(), paths: HostPaths = .system, seed: UInt64? = nil) {
        self.clock = clock
        self.paths = paths
        self.seed = seed
    }
}

/// Samples a profile's sensors on their schedules and drives its controls.
///
/// - `batches` carries the readings that passed the change filter, one batch per tick (a slow
///   source's reading arrives in a batch of its own when it completes), with sequence numbers
///   rising by one from `startSequence + 1`. The store persists them and hands the last one back
///   at the next start, so numbers keep rising across restarts.
/// - `currentReadings` answers readouts from the latest values at once, never waiting on a source.
/// - `apply` validates a control value before it reaches the target, writes it, reads it back.
///
/// Sources and outputs that cannot block (the simulator, /proc, GPIO ioctls) run inside the
/// actor; the others (sysfs, files, statvfs, 1-wire, commands) run on threads of their own with
/// a deadline (`BoundedWork`), so none holds up another and one that hangs fails its sensor.
package actor Device {
    package nonisolated let profile: DeviceProfile
    package nonisolated let controls: [ControlDefinition]
    package nonisolated let batches: AsyncStream<ReadingBatch>
    /// Ticks begun and finished, for the agent's watchdog: a tick that never ends (a source
    /// read blocking inside the actor) shows as work waiting with nothing finished.
    package nonisolated let progress = ProgressMeter()
    private let continuation: AsyncStream<ReadingBatch>.Continuation
    let clock: any AgentClock
    let logger = Logger("device")

    var sensors: [SensorSlot]
    var controlSlots: [ControlSlot]
    private var schedule: SamplingSchedule
    /// The last sequence number handed out.
    package private(set) var lastSequence: UInt64
    private var loop: Task<Void, Never>?
    private var preparation: Task<Void, Never>?
    var stopped = false
    private var overruns = 0
    /// Where each applied control value goes to be kept (the store), when the agent keeps them.
    var stateSink: (@Sendable (ControlState) async -> Void)?
    /// The edge events of sources that report changes as they happen, while sampling.
    var events: EventFeed?

    package init(profile: DeviceProfile, environment: DeviceEnvironment = DeviceEnvironment(), startSequence: UInt64 = 0) {
        self.init(profile: profile, environment: environment, startSequence: startSequence, sources: nil)
    }

    /// `sources` and `outputs`, when given, replace the ones the profile's specs would make (tests).
    init(
        profile: DeviceProfile, environment: DeviceEnvironment, startSequence: UInt64, sources: [any SensorSource]?,
        outputs: [any ControlOutput]? = nil
    ) {
        self.profile = profile
        self.controls = profile.controls
        self.clock = environment.clock
        self.lastSequence = startSequence
        let seed = environment.seed ?? profile.seed
        self.sensors = profile.sensors.enumerated().map { index, definition in
            SensorSlot(
                definition: definition,
                source: sources?[index]
                    ?? SourceFactory.make(definition.source, name: definition.name, paths: environment.paths, seed: seed))
        }
        self.controlSlots = profile.controls.enumerated().map { index, definition in
            ControlSlot(definition: definition, output: outputs?[index] ?? OutputFactory.make(definition.target, paths: environment.paths))
        }
        self.schedule = SamplingSchedule(
            intervals: profile.sensors.map(\.interval), start: environment.clock.now(), jitter: profile.jitter,
            seed: seed)
        (self.batches, self.continuation) = AsyncStream.makeStream(of: ReadingBatch.self, bufferingPolicy: .unbounded)
    }

    /// Prepares the outputs (holding GPIO lines, writing initial values), takes the first sample
    /// of every sensor and keeps sampling on schedule until `stop`. Calling it again does nothing.
    package func start() async {
        guard loop == nil, !stopped else { return }
        await prepareIfNeeded()
        // Before the first read, which requests the lines: a watcher starts with each line.
        startEvents()
        schedule.rebase(to: clock.now())
        await tick()
        loop = Task { await self.run() }
    }

    /// Stops sampling and ends `batches`. Reads still running finish on their threads and are
    /// dropped. A stopped device does not start again.
    package func stop() {
        stopped = true
        loop?.cancel()
        loop = nil
        stopEvents()
        continuation.finish()
    }

    private func run() async {
        while !Task.isCancelled, !stopped, let next = schedule.nextDue {
            do {
                try await clock.sleep(until: next)
            } catch {
                return
            }
            if Task.isCancelled || stopped { return }
            await tick()
        }
    }

    /// Samples the sensors due now and publishes what passes the change filter, together with
    /// control values that changed. The loop calls it; tests call it directly after moving a
    /// manual clock.
    package func tick() async {
        progress.begin()
        defer { progress.finish() }
        await prepareIfNeeded()
        let now = clock.now()
        let controls = pendingControlReadings()
        var kept: [(index: Int, reading: Reading)] = []
        var reading: [(index: Int, work: BoundedWork<RawValue>)] = []
        for index in schedule.takeDue(at: now) where !sensors[index].absent {
            let source = sensors[index].source
            switch source.blocking {
            case .never:
                if let reading = record(index, Self.read(source, at: now), at: now) { kept.append((index, reading)) }
            case .mayHang:
                if let work = startRead(index, at: now) { reading.append((index, work)) }
            case .slow:
                if let work = startRead(index, at: now) { follow(index, work) }
            }
        }
        // File reads take microseconds and go out in this tick's batch; one still running after
        // `batchWait` goes on alone and fails its sensor at its deadline.
        let batchEnd = clock.now() + Self.batchWait
        for (index, work) in reading {
            guard let result = await work.result(by: batchEnd, clock: clock) else {
                follow(index, work)
                continue
            }
            sensors[index].inFlight = false
            if let reading = record(index, result, at: now) { kept.append((index, reading)) }
        }
        emit(controls + kept.sorted { $0.index < $1.index }.map(\.reading))
    }

    /// How long a tick waits for its file reads before it sends its batch without the late ones.
    static let batchWait = Duration.milliseconds(250)

    /// Reads every sensor now, waiting for slow ones, and updates the current values without
    /// publishing anything: for `kinglet read`, which shows a table and has no outbox. Unless
    /// the device was started, controls are only looked at, never written: reading a device
    /// must not switch its relays.
    package func refresh() async {
        if preparation == nil { await peekControls() }
        let now = clock.now()
        var reading: [(index: Int, work: BoundedWork<RawValue>)] = []
        for index in sensors.indices where !sensors[index].absent {
            let source = sensors[index].source
            if source.blocking == .never {
                update(index, Self.read(source, at: now))
            } else if let work = startRead(index, at: now) {
                // A read still hanging from the last refresh keeps its time-out as the reading.
                reading.append((index, work))
            }
        }
        for (index, work) in reading {
            if let result = await work.result(clock: clock) {
                sensors[index].inFlight = false
                update(index, result)
            } else {
                update(index, .failure(work.timedOut))
                release(index, when: work)
            }
        }
    }

    /// The latest reading of each sensor and the current value of each control (as writable
    /// fields), in profile order, optionally limited to some names and field types. Answers at
    /// once from what was last read.
    package func currentReadings(names: Set<String>? = nil, types: Set<FieldType>? = nil) -> [Reading] {
        let now = clock.wallTime()
        let all = sensors.filter { !$0.absent }.map { $0.current(at: now) } + controlSlots.map { $0.reading(at: now) }
        return all.filter { reading in
            (names.map { $0.contains(reading.name) } ?? true) && (types.map { $0.contains(reading.fieldType) } ?? true)
        }
    }

    /// Failing sources and outputs, for the presence status line.
    package func health() -> DeviceHealth {
        var problems: [DeviceHealth.Problem] = []
        for slot in sensors where !slot.absent {
            if let reason = slot.latest?.errorText { problems.append(.init(name: slot.definition.name, reason: reason)) }
        }
        for slot in controlSlots {
            if let failure = slot.failure { problems.append(.init(name: slot.definition.name, reason: failure.description)) }
        }
        let present = sensors.filter { !$0.absent }
        let identities = present.count { $0.definition.fieldType == .identity }
        return DeviceHealth(
            sensorCount: present.count - identities, controlCount: controlSlots.count, problems: problems,
            overruns: overruns + schedule.missedTicks, identityCount: identities)
    }

    // MARK: - Reading

    static func read(_ source: any SensorSource, at time: Duration) -> Result<RawValue, DeviceError> {
        do {
            return .success(try source.read(at: time))
        } catch {
            return .failure(error)
        }
    }

    /// Starts a read off the actor, with the source's deadline; nil (an overrun) while the
    /// sensor's previous read is still running, rather than piling up threads.
    private func startRead(_ index: Int, at now: Duration) -> BoundedWork<RawValue>? {
        guard !sensors[index].inFlight else {
            overruns += 1
            return nil
        }
        sensors[index].inFlight = true
        let source = sensors[index].source
        return BoundedWork(limit: source.deadline, clock: clock) { () throws(DeviceError) in try source.read(at: now) }
    }

    /// Follows a read apart from its tick: its reading goes out in a batch of its own when it
    /// comes, or its sensor fails at the deadline (a wedged bus) and is not read again until the
    /// hung read ends.
    private func follow(_ index: Int, _ work: BoundedWork<RawValue>) {
        Task {
            let result = await work.result(clock: clock)
            if result != nil { sensors[index].inFlight = false } else { release(index, when: work) }
            guard !stopped else { return }
            if let reading = record(index, result ?? .failure(work.timedOut), at: clock.now()) { emit([reading]) }
        }
    }

    /// Marks the sensor free to be read again once the read given up on ends.
    private func release(_ index: Int, when work: BoundedWork<RawValue>) {
        Task {
            await work.ended()
            sensors[index].inFlight = false
        }
    }

    /// Turns a read into the sensor's current reading, and returns it if the change filter keeps
    /// it. `stamp` is when the value was true (an edge's time), now if not given.
    func record(_ index: Int, _ result: Result<RawValue, DeviceError>, at now: Duration, stamp: Timestamp? = nil) -> Reading? {
        guard let reading = update(index, result, stamp: stamp) else { return nil }
        let filter = sensors[index].definition.filter
        guard filter.shouldKeep(reading, now: now, last: sensors[index].kept) else { return nil }
        sensors[index].kept = ChangeFilter.Kept(value: reading.value, errorText: reading.errorText, at: now)
        return reading
    }

    /// Makes the sensor's current reading from a read; nil when an optional sensor turns out
    /// to be absent.
    @discardableResult
    private func update(_ index: Int, _ result: Result<RawValue, DeviceError>, stamp: Timestamp? = nil) -> Reading? {
        let definition = sensors[index].definition
        if definition.optional, sensors[index].latest == nil, case .failure(let error) = result {
            sensors[index].absent = true
            logger.info("\(definition.name): not present, left out (\(error))")
            return nil
        }
        let stamp = stamp ?? clock.wallTime()
        let reading: Reading
        do {
            let value = try definition.value(from: result.get())
            reading = Reading(name: definition.name, value: value, unit: definition.unit, fieldType: definition.fieldType, timestamp: stamp)
        } catch {
            reading = .failure(name: definition.name, unit: definition.unit, fieldType: definition.fieldType, reason: error.description, at: stamp)
        }
        logTransition(definition.name, from: sensors[index].latest, to: reading)
        sensors[index].latest = reading
        return reading
    }

    private func logTransition(_ name: String, from old: Reading?, to new: Reading) {
        if let reason = new.errorText, old?.errorText != reason {
            logger.warning("\(name): \(reason)")
        } else if new.errorText == nil, old?.errorText != nil {
            logger.info("\(name): reading again")
        }
    }

    /// Numbers the readings and yields them as one batch.
    func emit(_ readings: [Reading]) {
        guard !readings.isEmpty, !stopped else { return }
        var numbered = readings
        for i in numbered.indices {
            lastSequence += 1
            numbered[i].sequence = lastSequence
        }
        continuation.yield(ReadingBatch(numbered))
    }

    // MARK: - Preparation

    /// Prepares every output once; concurrent callers wait for the same preparation.
    func prepareIfNeeded() async {
        if let preparation { return await preparation.value }
        let task = Task { await self.prepareOutputs() }
        preparation = task
        await task.value
    }

    /// Reads each control's current state where that changes nothing (see `ControlOutput.peek`).
    private func peekControls() async {
        for index in controlSlots.indices {
            let slot = controlSlots[index]
            let result = await perform(index) { output throws(DeviceError) in try output.peek(slot.definition) }
            switch result {
            case .success(let value?): controlSlots[index].value = value
            case .success(nil): controlSlots[index].note = "not read: \(slot.definition.target.kind) targets are read only while the agent holds them"
            case .failure(let error): controlSlots[index].failure = error
            }
        }
    }

    private func prepareOutputs() async {
        for index in controlSlots.indices {
            let slot = controlSlots[index]
            // A value kept from before the restart is applied as the output's starting value,
            // so the output goes straight to it (a relay does not blink through `initial`).
            var starting = slot.definition
            if let restored = slot.restoring { starting.initial = restored }
            let definition = starting
            let result = await perform(index) { output throws(DeviceError) in try output.prepare(definition) }
            settle(index, result, fallback: definition.initial ?? definition.neutralValue)
            if let restored = slot.restoring, case .success = result, let state = slot.lastSet {
                logger.info("\(definition.name): restored to \(restored), as \(state.setBy) set it at \(state.setAt.xsDateTime)")
            }
        }
    }
}

/// A sensor and what the device knows of it.
struct SensorSlot: Sendable {
    let definition: SensorDefinition
    let source: any SensorSource
    /// The last reading, kept or not.
    var latest: Reading?
    /// What the change filter last let through.
    var kept: ChangeFilter.Kept?
    /// A read is running on a thread of its own (or hangs there, given up).
    var inFlight = false
    /// An optional sensor whose first read failed: no longer sampled or shown.
    var absent = false

    init(definition: SensorDefinition, source: any SensorSource) {
        self.definition = definition
        self.source = source
    }

    /// The latest reading, or a "not read yet" placeholder marked missing.
    func current(at now: Timestamp) -> Reading {
        latest
            ?? Reading(
                name: definition.name, value: nil, unit: definition.unit, fieldType: definition.fieldType,
                qos: [.missing, .inProgress], timestamp: now, errorText: "not read yet")
    }
}
