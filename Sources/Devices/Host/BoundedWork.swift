import Support
import Synchronization

/// How a source's read or an output's operation can block, which decides where the device runs
/// it.
package enum Blocking: Sendable, Hashable {
    /// Never: memory (the simulator, a constant), /proc figures the kernel keeps in memory,
    /// ioctls on a GPIO character device. Run inside the device's actor.
    case never
    /// Through the file system: a sysfs attribute, a profile's path, statvfs. Quick, but a wedged
    /// bus (an I²C hwmon chip, a 1-wire master) or a hung mount can keep it from ever returning.
    /// Run on a thread of its own with a deadline; a tick's batch waits for it a moment.
    case mayHang
    /// Slow by nature: a 1-wire conversion (up to 750 ms), a command. Run on a thread of its own
    /// with a deadline; its reading goes out in a batch of its own.
    case slow

    /// How long an operation that may hang gets before it is reported failing.
    package static let deadline = Duration.seconds(5)
}

/// The file a bounded operation is at (`HostFiles` notes each one before its system call), so
/// that one that never returns is reported by its path.
final class OperationTrace: Sendable {
    @TaskLocal static var current: OperationTrace?
    private let last = Mutex<(verb: String, path: String)?>(nil)

    /// Notes what the calling thread's bounded operation is about to do; nothing when untraced.
    static func note(_ verb: String, _ path: String) {
        current?.last.withLock { $0 = (verb, path) }
    }

    var lastNoted: (verb: String, path: String)? { last.withLock { $0 } }
}

/// Blocking work on a thread of its own, given up at a deadline on the device's clock: the one
/// way the device runs reads and output operations that may block. The thread of an operation
/// given up is left to end on its own (nothing can interrupt a read a FUSE or sysfs driver
/// holds); callers keep its sensor or control marked busy until it does, so none pile up.
struct BoundedWork<Value: Sendable>: Sendable {
    private let work: OffloadedWork<Result<Value, DeviceError>>
    private let trace = OperationTrace()
    private let limit: Duration
    /// When the work is given up, in the clock's monotonic time.
    let deadline: Duration

    init(limit: Duration, clock: any AgentClock, _ body: @escaping @Sendable () throws(DeviceError) -> Value) {
        self.limit = limit
        self.deadline = clock.now() + limit
        let trace = self.trace
        self.work = OffloadThread.spawn {
            OperationTrace.$current.withValue(trace) {
                do throws(DeviceError) {
                    return .success(try body())
                } catch {
                    return .failure(error)
                }
            }
        }
    }

    /// The result if it comes by `time` (the deadline when not given); nil otherwise, and the
    /// work goes on.
    func result(by time: Duration? = nil, clock: any AgentClock) async -> Result<Value, DeviceError>? {
        await work.result(by: time ?? deadline, clock: clock)
    }

    /// The result, or `timedOut` once the deadline has passed.
    func outcome(clock: any AgentClock) async -> Result<Value, DeviceError> {
        await result(clock: clock) ?? .failure(timedOut)
    }

    /// `read timed out after 5 s: /sys/class/hwmon/hwmon2/temp1_input`: the file it was at.
    var timedOut: DeviceError {
        let (verb, path) = trace.lastNoted ?? ("read", "no file reached")
        return DeviceError("\(verb) timed out after \(limit.unitText)", message: path)
    }

    /// Waits for the work to end, however long that takes.
    func ended() async {
        _ = await work.value
    }
}
