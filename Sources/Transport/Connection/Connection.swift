import Glibc
package import Crypto
package import Support
import CLinux
package import XMLStream
import Synchronization

/// Everything one connection attempt needs. Loaded credentials are reused across attempts.
package struct ConnectionSettings: Sendable {
    package var planner: EndpointPlanner
    package var lookup: any SRVLookup
    package var credentials: TLSCredentials
    package var limits: XMLStreamLimits
    package var connectTimeout: Duration
    /// How long a TLS handshake may take before the attempt is abandoned.
    package var handshakeTimeout: Duration
    /// How long to wait for the server's `</stream:stream>` after ours, on a clean close.
    package var closeTimeout: Duration
    /// Received elements not yet finished with, across the session: at its bound the I/O thread
    /// stops reading. Nil: nothing is counted (a consumer that keeps up by construction).
    package var inbound: InboundWindow?
    /// Bytes queued for the socket above which the I/O thread stops reading it, until they are
    /// down to `outgoingLowWater`: a server that does not read what we write gets nothing more
    /// read from it either, so nothing it sends can make us queue without bound.
    package var outgoingHighWater = 256 * 1024
    package var outgoingLowWater = 64 * 1024
    /// Called on the I/O thread each time the bytes not yet written fall to `outgoingLowWater`
    /// or below after being above it: a producer that waits for room can go on.
    package var drained: (@Sendable () -> Void)?

    package init(
        planner: EndpointPlanner, lookup: any SRVLookup = SystemSRVLookup(), credentials: TLSCredentials,
        limits: XMLStreamLimits = XMLStreamLimits(), connectTimeout: Duration = .seconds(15),
        handshakeTimeout: Duration = .seconds(15), closeTimeout: Duration = .seconds(2)
    ) {
        self.planner = planner
        self.lookup = lookup
        self.credentials = credentials
        self.limits = limits
        self.connectTimeout = connectTimeout
        self.handshakeTimeout = handshakeTimeout
        self.closeTimeout = closeTimeout
    }
}

/// Requests from the session to the I/O thread, applied in order.
enum ConnectionCommand: Sendable {
    case send([UInt8])
    /// `<proceed/>` arrived: run the TLS handshake now (nothing else is in flight).
    case startTLS
    /// Reset the parser and send a new stream header (after TLS and after SASL success).
    case restartStream(header: [UInt8])
    /// Send these last bytes, wait briefly for the server's close, and end.
    case close(trailer: [UInt8])
    /// End now without a word: the peer is dead, or the stream must stay resumable (XEP-0198).
    case abort

    /// The bytes it puts in the outgoing buffer.
    var byteCount: Int? {
        switch self {
        case .send(let bytes), .restartStream(let bytes), .close(let bytes): bytes.count
        case .startTLS, .abort: nil
        }
    }
}

/// One connection to the server, run by its own I/O thread (see ARCHITECTURE.md, Concurrency).
///
/// The thread owns the socket, the mbedTLS session and the libxml2 parser: nothing else touches
/// them. The session talks to it through this handle: commands go into a queue guarded by a
/// mutex and an eventfd wakes the thread; events come back through `events`. A connection is
/// used once; reconnecting makes a new one.
package final class Connection: Sendable {
    package let events = EventChannel<ConnectionEvent>()
    private let commands: CommandQueue
    private let settings: ConnectionSettings

    /// Events are bounded by `settings.inbound` (elements) and by the connection's end: the
    /// buffer never holds more than the window plus what one read of the socket parses into.
    package init(settings: ConnectionSettings) throws(SystemError) {
        self.settings = settings
        commands = try CommandQueue()
    }

    /// Nobody can read the events any more: the I/O thread ends at its next one.
    deinit {
        events.terminate()
    }

    /// Starts the I/O thread: plan endpoints (DNS may block), connect, then serve the stream.
    package func start() throws(SystemError) {
        let (settings, commands, events) = (self.settings, self.commands, self.events)
        try startThread {
            IOLoop(settings: settings, commands: commands, events: events).run()
        }
    }

    /// Bytes handed to `send` (and stream headers, trailers) that the socket has not taken yet.
    package var unsentBytes: Int { commands.unsentBytes }

    package func send(_ bytes: [UInt8]) { enqueue(.send(bytes)) }
    package func send(_ text: String) { enqueue(.send(Array(text.utf8))) }
    package func startTLS() { enqueue(.startTLS) }
    package func restartStream(header: String) { enqueue(.restartStream(header: Array(header.utf8))) }
    package func close(trailer: String) { enqueue(.close(trailer: Array(trailer.utf8))) }
    /// Drops the connection without closing the stream, so the server keeps it resumable.
    package func abort() { enqueue(.abort) }

    private func enqueue(_ command: ConnectionCommand) {
        commands.push(command)
    }
}

/// The command queue between the session and the I/O thread, with its wake-up eventfd.
final class CommandQueue: Sendable {
    private let mutex = Mutex<[ConnectionCommand]>([])
    /// Wakes the I/O thread from poll(); written when the queue goes from empty to not, and by
    /// `wake` (an inbound window with room again).
    let wakeFD: Int32
    /// Bytes queued here or in the I/O thread's buffer and not yet taken by the socket.
    private let unsent = Atomic<Int>(0)

    init() throws(SystemError) {
        wakeFD = try systemCall("eventfd") { eventfd(0, Int32(EFD_CLOEXEC) | Int32(EFD_NONBLOCK)) }
    }

    deinit {
        close(wakeFD)
    }

    var unsentBytes: Int { unsent.load(ordering: .relaxed) }

    /// The I/O thread wrote `count` bytes to the socket; returns what is left unsent.
    @discardableResult
    func written(_ count: Int) -> Int {
        unsent.subtract(count, ordering: .relaxed).newValue
    }

    /// Bytes the I/O thread queued itself.
    func owe(_ count: Int) {
        unsent.add(count, ordering: .relaxed)
    }

    /// Wakes the I/O thread without a command: it looks again at whether it may read.
    func wake() {
        eventfd_write(wakeFD, 1)
    }

    func push(_ command: ConnectionCommand) {
        if let count = command.byteCount { unsent.add(count, ordering: .relaxed) }
        let wasEmpty = mutex.withLock { commands in
            let wasEmpty = commands.isEmpty
            commands.append(command)
            return wasEmpty
        }
        if wasEmpty { eventfd_write(wakeFD, 1) }
    }

    /// Takes every queued command. Read the eventfd first (`clearWake`), then drain: a push
    /// racing with the drain then either lands in this batch or wakes the thread again.
    func drain() -> [ConnectionCommand] {
        mutex.withLock { commands in
            defer { commands.removeAll(keepingCapacity: true) }
            return commands
        }
    }

    func clearWake() {
        var value: eventfd_t = 0
        eventfd_read(wakeFD, &value)
    }
}
