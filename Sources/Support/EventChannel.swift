package import Synchronization

/// An unbounded, single-consumer channel of events between a producer (a thread or a task) and
/// one consuming task: what `AsyncStream(bufferingPolicy: .unbounded)` does, for the streams
/// every stanza passes through. `AsyncStream`'s code is generic and not specialised across the
/// standard library's boundary, so each event went through runtime metadata lookups (for
/// Optional, Array, its Deque, the continuation): about 10,000 instructions per event, measured
/// with callgrind (README, Figures: CPU per message). This one is inlinable and specialised
/// where it is used, so an event costs a lock and, when the consumer waits, one resumption.
///
/// `finish()` ends the sequence once the buffered events are read. If the consuming task is
/// cancelled while it waits, the sequence ends there and later events are refused, as with
/// `AsyncStream`.
package final class EventChannel<Element: Sendable>: AsyncSequence, Sendable {
    package typealias Failure = Never

    @usableFromInline
    struct State {
        @usableFromInline var buffer: [Element] = []
        /// Where `buffer` starts: read events are dropped by moving it, and the array is
        /// emptied when it has all been read, so a read costs no shifting.
        @usableFromInline var head = 0
        @usableFromInline var waiter: UnsafeContinuation<Element?, Never>?
        @usableFromInline var finished = false
        /// The consumer is gone: `yield` says so (the producer may stop).
        @usableFromInline var terminated = false

        @inlinable init() {}

        @usableFromInline
        enum Taken {
            case event(Element)
            /// Finished and nothing buffered.
            case end
            case nothing
        }

        /// The oldest buffered event. Read ones are dropped when all are read, or, for a consumer
        /// that never quite catches up, when they are most of the buffer.
        @inlinable
        mutating func take() -> Taken {
            guard head < buffer.count else { return finished ? .end : .nothing }
            let event = buffer[head]
            head += 1
            if head == buffer.count {
                buffer.removeAll(keepingCapacity: buffer.capacity <= 1024)
                head = 0
            } else if head > 64 && head * 2 > buffer.count {
                buffer.removeFirst(head)
                head = 0
            }
            return .event(event)
        }
    }

    @usableFromInline let state = Mutex(State())

    @inlinable package init() {}

    /// Hands `event` to the consumer. False when the sequence is finished or the consumer has
    /// gone (`terminate`): the event is dropped.
    @inlinable @discardableResult
    package func yield(_ event: Element) -> Bool {
        let (accepted, waiter) = state.withLock { state -> (Bool, UnsafeContinuation<Element?, Never>?) in
            guard !state.finished, !state.terminated else { return (false, nil) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (true, waiter)
            }
            state.buffer.append(event)
            return (true, nil)
        }
        waiter?.resume(returning: event)
        return accepted
    }

    /// No more events: the consumer reads what is buffered, then the sequence ends.
    @inlinable
    package func finish() {
        let waiter = state.withLock { state -> UnsafeContinuation<Element?, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// The consumer will read no more: later `yield`s return false.
    @inlinable
    package func terminate() {
        let waiter = state.withLock { state -> UnsafeContinuation<Element?, Never>? in
            state.terminated = true
            state.finished = true
            state.buffer.removeAll()
            state.head = 0
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// The next event, or nil once the sequence has ended; one consumer at a time.
    @inlinable
    package func next(isolation actor: isolated (any Actor)? = #isolation) async -> Element? {
        switch state.withLock({ $0.take() }) {
        case .event(let event): return event
        case .end: return nil
        case .nothing: break
        }
        return await withTaskCancellationHandler {
            await withUnsafeContinuation(isolation: actor) { (continuation: UnsafeContinuation<Element?, Never>) in
                let taken = state.withLock { state -> State.Taken in
                    let taken = state.take()
                    if case .nothing = taken { state.waiter = continuation }
                    return taken
                }
                switch taken {
                case .event(let event): continuation.resume(returning: event)
                case .end: continuation.resume(returning: nil)
                case .nothing: break
                }
            }
        } onCancel: {
            terminate()
        }
    }

    package struct AsyncIterator: AsyncIteratorProtocol {
        @usableFromInline let channel: EventChannel

        @inlinable init(channel: EventChannel) { self.channel = channel }

        @inlinable
        package mutating func next() async -> Element? {
            await channel.next()
        }

        @inlinable
        package mutating func next(isolation actor: isolated (any Actor)?) async -> Element? {
            await channel.next(isolation: actor)
        }
    }

    @inlinable
    package func makeAsyncIterator() -> AsyncIterator { AsyncIterator(channel: self) }
}
