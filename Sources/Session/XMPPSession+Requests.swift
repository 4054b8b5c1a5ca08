import Support
package import XMLStream
import XMPPCore

extension XMPPSession {
    /// An IQ request waiting for its response.
    struct PendingRequest {
        let to: JID?
        let complete: @Sendable (Result<XMLElement, RequestError>) -> Void
        let timeout: Duration
        /// On the session's clock.
        var deadline: Duration

        /// RFC 6120 §8.1.2.1: a response must come from the entity the request went to (the
        /// server may answer for our own account and for requests without `to`).
        func accepts(from: JID?, ownJID: JID?) -> Bool {
            guard let to else { return from == nil || from == ownJID?.domainJID || from == ownJID?.bare }
            guard let from else { return to == ownJID?.bare || to == ownJID?.domainJID }
            return from == to
        }
    }

    /// Sends an IQ get/set and waits for its result. An `id` is assigned if missing.
    package func request(_ iq: XMLElement, timeout: Duration? = nil) async -> Result<XMLElement, RequestError> {
        await withCheckedContinuation { continuation in
            let sent = sendRequest(iq, timeout: timeout) { continuation.resume(returning: $0) }
            if !sent { continuation.resume(returning: .failure(.offline)) }
        }
    }

    /// Sends an IQ get/set now, in call order with every other stanza, and returns at once;
    /// `response` is called exactly once, on this actor, with the result, the error reply,
    /// `.timedOut` or `.offline` (the stream ended first, not to be resumed). `tag` comes back in
    /// `.acknowledged`/`.unacknowledged` as with `send`. Returns false, and never calls
    /// `response`, when offline. This is how the publisher keeps many publishes in flight
    /// without a task per request deciding the order they go out in.
    ///
    /// `generation`, when given, is the `streamGeneration` the caller saw in the events it has
    /// handled; a request meant for an older stream is refused rather than sent ahead of what
    /// the caller will send again once it sees the new stream's `.online` event.
    @discardableResult
    package func sendRequest(
        _ iq: XMLElement, tag: StanzaTag? = nil, timeout: Duration? = nil, generation: Int? = nil,
        response: @escaping @Sendable (Result<XMLElement, RequestError>) -> Void
    ) -> Bool {
        guard isOnline, generation == nil || generation == streamGeneration else { return false }
        var iq = iq
        let id = iq.id ?? nextRequestID()
        iq.setAttribute("id", id)
        let timeout = timeout ?? configuration.requestTimeout
        pendingRequests[id] = PendingRequest(to: iq.to, complete: response, timeout: timeout, deadline: clock.now() + timeout)
        startRequestSweeper()
        send(iq, tag: tag)
        return true
    }

    /// One timer for every request's time limit, alive only while requests wait. Not a timer
    /// per request: a cancelled `Task.sleep` keeps its allocation until its original deadline,
    /// so a thousand publishes a second with 30 s limits would hold tens of thousands of them.
    private func startRequestSweeper() {
        guard requestSweeper == nil else { return }
        let clock = self.clock
        requestSweeper = Task { [weak self] in
            // Wakes at the earliest deadline, and at least every second so that a shorter
            // limit given later is not overslept.
            while let next = await self?.nextRequestDeadline() {
                try? await clock.sleep(until: min(next, clock.now() + .seconds(1)))
                await self?.expireRequests()
            }
        }
    }

    /// The earliest deadline; nil (and the sweeper ends) when nothing waits.
    private func nextRequestDeadline() -> Duration? {
        guard let next = pendingRequests.values.lazy.map(\.deadline).min() else {
            requestSweeper = nil
            return nil
        }
        return next
    }

    /// Only while online: across a cut that will be resumed, requests wait for the answers
    /// the server sends again (see `wentOffline`).
    private func expireRequests() {
        guard isOnline else { return }
        let now = clock.now()
        for (id, pending) in pendingRequests where pending.deadline <= now {
            pendingRequests[id] = nil
            pending.complete(.failure(.timedOut))
        }
    }

    /// After a resumption, every waiting request gets its whole time limit again: the outage
    /// was not the server's delay in answering.
    func restartRequestDeadlines() {
        let now = clock.now()
        for (id, request) in pendingRequests { pendingRequests[id]?.deadline = now + request.timeout }
    }

    func failPendingRequests() {
        let pending = pendingRequests
        pendingRequests.removeAll()
        for request in pending.values { request.complete(.failure(.offline)) }
    }

    /// Pings the server when nothing has arrived for a while (XEP-0199 §4.2); a missing pong
    /// means the stream is dead, and the connection is dropped (keeping it resumable).
    func startKeepalive(interval: Duration) {
        keepalive?.cancel()
        let clock = self.clock
        keepalive = Task { [weak self] in
            while !Task.isCancelled {
                try? await clock.sleep(until: clock.now() + interval)
                guard !Task.isCancelled, let self else { return }
                await self.keepaliveFired()
            }
        }
    }

    /// The keepalive loop waits for its ping's answer (or time-out) before it sleeps again.
    private func keepaliveFired() async {
        for action in lifecycle.keepaliveFired(at: clock.now()) {
            if case .ping(let resumed) = action { await pingOrDrop(resumed: resumed) } else { perform([action]) }
        }
    }

    /// Pings the server; with no answer in `ping_timeout`, drops the connection (and, for a
    /// stream just resumed, its XEP-0198 session: the next connection starts a new one).
    /// Right after a resumption this proves the stream: a server can take the session back and
    /// then answer nothing (Prosody 0.12 keeps parsing with the old connection's parser, so
    /// after a cut in the middle of a stanza everything we send disappears into it).
    func pingOrDrop(resumed: Bool) async {
        let ping = XMLElement("iq", namespace: Namespace.client, attributes: ["type": "get", "to": configuration.jid.domain]) {
            XMLElement("ping", namespace: Namespace.ping)
        }
        let number = lifecycle.connectionNumber
        switch await request(ping, timeout: configuration.pingTimeout) {
        case .success, .failure(.error), .failure(.offline):
            break  // any answer, even an error, proves the stream is alive
        case .failure(.timedOut):
            perform(lifecycle.pingTimedOut(connection: number, resumed: resumed))
        }
    }
}
