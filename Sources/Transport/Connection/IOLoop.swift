import Crypto
import Glibc
import CLinux
import Support
import XMLStream

/// The body of a connection's I/O thread. It owns the socket, the TLS session and the XML
/// parser for the connection's whole life, and nothing else ever touches them.
///
/// It sleeps in poll() on the socket and the command queue's eventfd; when woken it applies
/// commands, advances a TLS handshake, writes what is queued and parses what arrived. When the
/// connection ends it reports why as the last event and the thread returns.
final class IOLoop {
    private enum Outcome {
        case keepGoing
        case finished(ConnectionEvent)
    }

    private let settings: ConnectionSettings
    private let commands: CommandQueue
    private let events: EventChannel<ConnectionEvent>
    private let parser: LibXML2StreamParser
    private let log = Logger("transport")

    private var fd: Int32 = -1
    private var tls: TLSSession?
    /// A TLS handshake in progress: its deadline, what it waits for, and for direct TLS the
    /// endpoint to report as connected when it completes (STARTTLS reports `.secured`).
    private var handshake: (deadline: ContinuousClock.Instant, wants: TLSProgress, direct: (Endpoint, String)?)?
    private var outgoing: [UInt8] = []
    private var outgoingOffset = 0
    /// The last write could not finish until the socket is writable (or, under TLS, readable).
    private var writeBlockedOn: TLSProgress?
    /// Reading is paused while the output is above its high water mark (see `readingAllowed`).
    private var outputBackedUp = false
    /// Whether this turn of the loop may read the socket.
    private var mayRead = true
    /// Set once a close is under way: the time limit and the event to finish with.
    private var closing: (deadline: ContinuousClock.Instant, result: ConnectionEvent)?
    /// 4 KiB: a record mbedTLS holds (up to 16 KiB) comes out in several reads, at no real cost,
    /// and 12 KiB less per connection counts when one process runs 1,000 (`fleet simulate`).
    private var readBuffer = [UInt8](repeating: 0, count: 4 * 1024)
    /// Planned endpoints not tried yet, and why the tried ones failed.
    private var untried: ArraySlice<Endpoint> = []
    private var failures: [String] = []

    init(settings: ConnectionSettings, commands: CommandQueue, events: EventChannel<ConnectionEvent>) {
        self.settings = settings
        self.commands = commands
        self.events = events
        parser = LibXML2StreamParser(limits: settings.limits)
    }

    func run() {
        let final: ConnectionEvent
        switch connect() {
        case .finished(let event): final = event
        case .keepGoing: final = serve()
        }
        if case .closed = final, handshake == nil { tls?.closeNotify() }
        if fd >= 0 { Glibc.close(fd) }
        events.yield(final)
        events.finish()
    }

    // MARK: Connecting

    /// Tries each planned endpoint until TCP connects; for direct TLS the handshake then runs
    /// in the poll loop, and one that breaks off (a reset, a protocol failure: a middlebox, a
    /// port that does not speak TLS) moves on to the next endpoint too. A certificate or pin
    /// failure ends the attempt: the server is not who it claims to be.
    private func connect() -> Outcome {
        let (endpoints, note) = settings.planner.plan(lookup: settings.lookup)
        log.debug("endpoints: \(note)")
        if endpoints.isEmpty { failures = [note] }
        untried = endpoints[...]
        return connectNext()
    }

    private func connectNext() -> Outcome {
        let timeout = Int32(clamping: settings.connectTimeout.milliseconds)
        while let endpoint = untried.popFirst() {
            do {
                fd = try TCPConnector.connect(host: endpoint.host, port: endpoint.port, timeoutMilliseconds: timeout)
            } catch {
                log.warning("\(error)")
                failures.append(error.description)
                continue
            }
            let address = TCPConnector.peerAddress(fd)
            guard endpoint.directTLS else {
                return emit(.connected(endpoint, address: address, tls: nil))
            }
            return beginHandshake(alpn: ["xmpp-client"], then: (endpoint, address))
        }
        return .finished(.failed(.unreachable(failures)))
    }

    /// A direct-TLS handshake failed before the server's identity was checked: if endpoints
    /// are left, closes this one and goes on; nil when the failure must end the attempt.
    private func fallBack(from endpoint: Endpoint, after error: TLSError) -> Outcome? {
        guard error.kind == .io || error.kind == .handshake, !untried.isEmpty else { return nil }
        log.warning("\(endpoint): \(error); trying the next endpoint")
        failures.append("\(endpoint): \(error)")
        Glibc.close(fd)
        fd = -1
        tls = nil
        handshake = nil
        return connectNext()
    }

    private func beginHandshake(alpn: [String], then direct: (Endpoint, String)?) -> Outcome {
        do {
            tls = try TLSSession(credentials: settings.credentials, fd: fd, alpn: alpn)
        } catch {
            return .finished(.failed(.tls(error)))
        }
        handshake = (ContinuousClock.now + settings.handshakeTimeout, .wantWrite, direct)
        return stepHandshake()
    }

    private func stepHandshake() -> Outcome {
        guard let tls, let current = handshake else { return .keepGoing }
        do {
            let progress = try tls.handshake()
            guard progress == .complete else {
                handshake?.wants = progress
                return .keepGoing
            }
        } catch {
            if let (endpoint, _) = current.direct, let next = fallBack(from: endpoint, after: error) { return next }
            return .finished(.failed(.tls(error)))
        }
        handshake = nil
        if let (endpoint, address) = current.direct {
            return emit(.connected(endpoint, address: address, tls: tls.established))
        }
        return emit(.secured(tls.established))
    }

    // MARK: The poll loop

    private func serve() -> ConnectionEvent {
        while true {
            var socketEvents = Int16(0)
            if let handshake {
                socketEvents = handshake.wants == .wantWrite ? Int16(POLLOUT) : Int16(POLLIN)
            } else {
                mayRead = readingAllowed()
                // A TLS write that waits for a read must get it, paused or not.
                if mayRead || writeBlockedOn == .wantRead { socketEvents |= Int16(POLLIN) }
                if outgoingOffset < outgoing.count, writeBlockedOn != .wantRead { socketEvents |= Int16(POLLOUT) }
            }
            var fds = [
                pollfd(fd: fd, events: socketEvents, revents: 0),
                pollfd(fd: commands.wakeFD, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&fds, 2, pollTimeout())
            if ready < 0 && errno != EINTR {
                return .failed(.io(.io(SystemError("poll"))))
            }
            if fds[1].revents != 0 {
                commands.clearWake()
                for command in commands.drain() {
                    if case .finished(let event) = apply(command) { return event }
                }
            }
            if case .finished(let event) = advance(socket: fds[0].revents) { return event }
            if case .finished(let event) = checkDeadlines() { return event }
        }
    }

    /// Backpressure: no reading while our own output backs up (above the high water mark, until
    /// down to the low one) or while the consumers have the inbound window full. The server then
    /// holds, or drops, what it would send; poll() still reports a hang-up.
    private func readingAllowed() -> Bool {
        let queued = outgoing.count - outgoingOffset
        if outputBackedUp {
            outputBackedUp = queued > settings.outgoingLowWater
        } else {
            outputBackedUp = queued > settings.outgoingHighWater
        }
        if outputBackedUp { return false }
        return settings.inbound?.allowsReading(wake: commands) ?? true
    }

    /// Milliseconds until the nearest deadline, or -1 to sleep until something happens.
    private func pollTimeout() -> Int32 {
        let deadlines = [handshake?.deadline, closing?.deadline].compactMap { $0 }
        guard let nearest = deadlines.min() else { return -1 }
        let remaining = nearest - ContinuousClock.now
        return max(0, Int32(clamping: remaining.milliseconds + 1))
    }

    private func checkDeadlines() -> Outcome {
        let now = ContinuousClock.now
        if let handshake, now >= handshake.deadline {
            let error = TLSError(.handshake, operation: "TLS handshake", message: "timed out")
            if let (endpoint, _) = handshake.direct, let next = fallBack(from: endpoint, after: error) { return next }
            return .finished(.failed(.tls(error)))
        }
        if let closing, now >= closing.deadline {
            return .finished(closing.result)
        }
        return .keepGoing
    }

    private func apply(_ command: ConnectionCommand) -> Outcome {
        switch command {
        case .send(let bytes):
            if closing == nil { outgoing += bytes } else { commands.written(bytes.count) }  // dropped: not owed
        case .startTLS:
            guard tls == nil else { return .keepGoing }
            return beginHandshake(alpn: [], then: nil)
        case .restartStream(let header):
            parser.reset()
            outgoing += header
        case .close(let trailer):
            guard closing == nil else { return .keepGoing }
            outgoing += trailer
            closing = (ContinuousClock.now + settings.closeTimeout, .closed)
        case .abort:
            return .finished(.closed)
        }
        return .keepGoing
    }

    /// Does everything possible without blocking: handshake, writes, reads.
    private func advance(socket revents: Int16) -> Outcome {
        if handshake != nil {
            guard revents != 0 else { return .keepGoing }
            return stepHandshake()
        }
        if case .finished(let event) = flush() { return .finished(event) }
        let hungUp = revents & Int16(POLLHUP | POLLERR) != 0
        let wanted = revents & Int16(POLLIN) != 0 || (tls?.bufferedReadableBytes ?? 0) > 0
        if hungUp || writeBlockedOn == .wantRead || (mayRead && wanted) {
            return readAvailable()
        }
        return .keepGoing
    }

    // MARK: Writing

    private func flush() -> Outcome {
        writeBlockedOn = nil
        while outgoingOffset < outgoing.count {
            let result: TLSTransfer
            do {
                result = try writeSome()
            } catch {
                return .finished(.failed(error))
            }
            switch result {
            case .bytes(let n):
                outgoingOffset += n
                let left = commands.written(n)
                if left <= settings.outgoingLowWater, left + n > settings.outgoingLowWater { settings.drained?() }
            case .wantRead, .wantWrite:
                writeBlockedOn = result == .wantRead ? .wantRead : .wantWrite
                return .keepGoing
            case .closed: return .finished(closing?.result ?? .failed(.closedByPeer))
            }
        }
        outgoing.removeAll(keepingCapacity: outgoing.capacity <= 64 * 1024)
        outgoingOffset = 0
        if let closing, case .failed = closing.result {
            // A stream error we sent is out: nothing more to wait for.
            return .finished(closing.result)
        }
        return .keepGoing
    }

    private func writeSome() throws(ConnectionFailure) -> TLSTransfer {
        let (offset, fd) = (outgoingOffset, self.fd)
        if let tls {
            // withUnsafeBytes rethrows untyped errors, so the typed result is carried out.
            // A retry after want-write may offer more bytes than the first try (the queue grew):
            // TLSSession takes exactly the ones mbedTLS already encrypted.
            var result = Result<TLSTransfer, TLSError>.success(.wantWrite)
            outgoing.withUnsafeBytes { buffer in
                result = Result { () throws(TLSError) in try tls.write(UnsafeRawBufferPointer(rebasing: buffer[offset...])) }
            }
            do {
                return try result.get()
            } catch {
                throw .tls(error)
            }
        }
        do {
            let result = try nonBlockingCall("write") {
                outgoing.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            }
            if case .done(let n) = result { return .bytes(n) }
            return .wantWrite
        } catch {
            throw .io(.io(error))
        }
    }

    /// Bytes the loop writes on its own account (a close answered, a stream error), counted as
    /// unsent like everything the session queues.
    private func queueOwn(_ bytes: [UInt8]) {
        commands.owe(bytes.count)
        outgoing += bytes
    }

    // MARK: Reading

    private func readAvailable() -> Outcome {
        while true {
            let result: TLSTransfer
            do {
                result = try readSome()
            } catch {
                return .finished(closing?.result ?? .failed(error))
            }
            switch result {
            case .bytes(let n):
                if case .finished(let event) = parse(count: n) { return .finished(event) }
                if !mayRead || !readingAllowed() { return .keepGoing }  // the window filled: stop here
            case .wantRead:
                return .keepGoing
            case .wantWrite:
                writeBlockedOn = .wantWrite
                return .keepGoing
            case .closed:
                return .finished(closing?.result ?? .failed(.closedByPeer))
            }
        }
    }

    private func readSome() throws(ConnectionFailure) -> TLSTransfer {
        let fd = self.fd
        if let tls {
            var result = Result<TLSTransfer, TLSError>.success(.wantRead)
            readBuffer.withUnsafeMutableBytes { buffer in
                result = Result { () throws(TLSError) in try tls.read(into: buffer) }
            }
            do {
                return try result.get()
            } catch {
                throw .tls(error)
            }
        }
        do {
            let result = try nonBlockingCall("read") {
                readBuffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            }
            guard case .done(let n) = result else { return .wantRead }
            return n == 0 ? .closed : .bytes(n)
        } catch {
            throw .io(.io(error))
        }
    }

    private func parse(count: Int) -> Outcome {
        var result = Result<[StreamEvent], XMLStreamError>.success([])
        readBuffer.withUnsafeBytes { buffer in
            result = Result { () throws(XMLStreamError) in try parser.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) }
        }
        let parsed: [StreamEvent]
        do {
            parsed = try result.get()
        } catch {
            return refuse(error)
        }
        for event in parsed {
            switch event {
            case .opened(let header):
                if case .finished(let e) = emit(.opened(header)) { return .finished(e) }
            case .element(let element):
                settings.inbound?.acquire()
                if case .finished(let e) = emit(.element(element)) { return .finished(e) }
            case .closed:
                // The server ended its stream. Answer in kind unless we are the ones closing.
                if let closing { return .finished(closing.result) }
                queueOwn(Array(StreamTags.closing.utf8))
                _ = flush()
                return .finished(.failed(.closedByPeer))
            }
        }
        return .keepGoing
    }

    /// Hostile or broken input: send the matching stream error, close our stream, and end
    /// once it is written (or the close time-out passes).
    private func refuse(_ error: XMLStreamError) -> Outcome {
        log.warning("refusing the server's stream: \(error)")
        let streamError = XMLElement("error", namespace: XMLNamespace.streams) {
            XMLElement(error.condition.rawValue, namespace: "urn:ietf:params:xml:ns:xmpp-streams")
        }
        var bytes: [UInt8] = []
        streamError.serialize(into: &bytes, inheritedNamespace: XMLNamespace.jabberClient)
        queueOwn(bytes + Array(StreamTags.closing.utf8))
        closing = (ContinuousClock.now + settings.closeTimeout, .failed(.streamErrorSent(error)))
        return flush()
    }

    // MARK: Events

    /// Hands an event to the session; if the session has gone away, the connection ends.
    private func emit(_ event: ConnectionEvent) -> Outcome {
        events.yield(event) ? .keepGoing : .finished(.closed)
    }
}
