import Support
package import XMLStream
import XMPPCore

extension XMPPSession {
    /// An IQ request waiting for its response.
    struct PendingRequest {
        let to: JID?
        let continuation: CheckedContinuation<Result<XMLElement, RequestError>, Never>
        let timeout: Task<Void, Never>

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
        guard isOnline else { return .failure(.offline) }
        var iq = iq
        let id = iq.id ?? nextRequestID()
        iq.setAttribute("id", id)
        let wait = timeout ?? configuration.requestTimeout
        return await withCheckedContinuation { continuation in
            let timer = Task { [weak self] in
                try? await Task.sleep(for: wait)
                await self?.expire(id)
            }
            pendingRequests[id] = PendingRequest(to: iq.to, continuation: continuation, timeout: timer)
            send(iq)
        }
    }

    private func expire(_ id: String) {
        guard let pending = pendingRequests.removeValue(forKey: id) else { return }
        pending.continuation.resume(returning: .failure(.timedOut))
    }

    func failPendingRequests() {
        let pending = pendingRequests
        pendingRequests.removeAll()
        for request in pending.values {
            request.timeout.cancel()
            request.continuation.resume(returning: .failure(.offline))
        }
    }

    /// Pings the server when nothing has arrived for a while (XEP-0199 §4.2); a missing pong
    /// means the stream is dead, and the connection is dropped (keeping it resumable).
    func startKeepalive() {
        keepalive?.cancel()
        let interval = configuration.pingInterval
        keepalive = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled, let self else { return }
                await self.keepaliveTick(interval: interval)
            }
        }
    }

    private func keepaliveTick(interval: Duration) async {
        guard isOnline, ContinuousClock.now - lastInbound >= interval else { return }
        let ping = XMLElement("iq", namespace: Namespace.client, attributes: ["type": "get", "to": configuration.jid.domain]) {
            XMLElement("ping", namespace: Namespace.ping)
        }
        let result = await request(ping, timeout: configuration.pingTimeout)
        switch result {
        case .success, .failure(.error):
            break  // any answer, even an error, proves the stream is alive
        case .failure(.timedOut):
            log.warning("no answer to a ping in \(configuration.pingTimeout.secondsText): the connection is dead")
            closeReason = .pingTimeout
            connection?.abort()
        case .failure(.offline):
            break
        }
    }
}
