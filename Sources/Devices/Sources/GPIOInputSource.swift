import Support
import Synchronization

/// A GPIO input line through the character device: a door contact, a button, a float switch.
/// The line is requested as an input at the first read and held from then on (a request with
/// edge detection is what lets the kernel report changes); if a read fails, the line is let go
/// and requested again at the next one, so a chip that comes back is picked up. With `edges`,
/// a watcher thread reports each change as it happens.
final class GPIOInputSource: EventSource {
    let input: GPIOInput
    let paths: HostPaths
    /// ioctls on the chip's character device, which wait on no bus.
    var blocking: Blocking { .never }

    private struct State {
        var line: GPIOLine?
        var watcher: GPIOEdgeWatcher?
        var report: (@Sendable (SourceEvent) -> Void)?
    }
    private let state = Mutex(State())

    init(input: GPIOInput, paths: HostPaths) {
        self.input = input
        self.paths = paths
    }

    deinit { state.withLock { $0.watcher?.stop() } }

    func read(at time: Duration) throws(DeviceError) -> RawValue {
        try state.withLock { state throws(DeviceError) -> RawValue in
            let line: GPIOLine
            if let held = state.line { line = held } else { line = try acquire(&state) }
            do throws(DeviceError) {
                return .boolean(try line.get())
            } catch {
                release(&state)
                throw error
            }
        }
    }

    func startEvents(_ report: @escaping @Sendable (SourceEvent) -> Void) {
        guard input.edges != .none else { return }
        state.withLock { state in
            state.report = report
            if let line = state.line, state.watcher == nil { state.watcher = watch(line, report) }
        }
    }

    func stopEvents() {
        state.withLock { state in
            state.report = nil
            state.watcher?.stop()
            state.watcher = nil
        }
    }

    private func acquire(_ state: inout State) throws(DeviceError) -> GPIOLine {
        let line = try GPIOLine.input(input, paths: paths)
        state.line = line
        if let report = state.report { state.watcher = watch(line, report) }
        return line
    }

    private func release(_ state: inout State) {
        state.watcher?.stop()
        state.watcher = nil
        state.line = nil
    }

    /// Starts a watcher; without one (no thread to be had) the line is still read on schedule.
    private func watch(_ line: GPIOLine, _ report: @escaping @Sendable (SourceEvent) -> Void) -> GPIOEdgeWatcher? {
        do {
            return try GPIOEdgeWatcher(line: line, name: "line \(input.line) of \(input.chip)", report: report)
        } catch {
            Logger("gpio").warning("line \(input.line) of \(input.chip): no edge events: \(error)")
            return nil
        }
    }
}
