import Support
import Transport
import XMLStream
import XMPPCore

extension XMPPSession {
    /// One element from the server while online: a stanza, an SM nonza or a stream error.
    func handleOnline(_ element: XMLElement, ticket: InboundTicket) {
        if element.isStanza {
            handleStanza(element, ticket: ticket)
            if smActive { streamManagement.received() }
            return
        }
        if element.namespace == Namespace.streamManagement {
            handleStreamManagement(element)
            return
        }
        if let error = StreamError(element) {
            perform(lifecycle.streamErrorReceived(error))
            return  // the server closes the stream next; the I/O thread reports that
        }
        log.debug("ignoring <\(element.name) xmlns='\(element.namespace ?? "")'>")
    }

    private func handleStanza(_ stanza: XMLElement, ticket: InboundTicket) {
        if stanza.name == "iq", let type = stanza.stanzaType, type == "result" || type == "error" {
            if let id = stanza.id, let pending = pendingRequests[id], pending.accepts(from: stanza.from, ownJID: boundJID) {
                pendingRequests[id] = nil
                pending.complete(type == "result"
                    ? .success(stanza) : .failure(.error(StanzaError(stanza: stanza) ?? StanzaError(.undefinedCondition))))
            }
            return  // responses nobody waits for are dropped: never answer a result or an error
        }
        if stanza.name == "iq", stanza.stanzaType == "get", stanza.child("ping", namespace: Namespace.ping) != nil,
            isFromServer(stanza)
        {
            send(stanza.iqResult())
            return
        }
        events.yield(.stanza(stanza, ticket))
    }

    /// True for stanzas from our server or our own account (no `from`, our domain, our bare JID).
    func isFromServer(_ stanza: XMLElement) -> Bool {
        guard let from = stanza.from else { return stanza.attribute("from") == nil }
        return from == configuration.jid.domainJID || from == configuration.jid.bare
    }

    private func handleStreamManagement(_ element: XMLElement) {
        switch element.name {
        case "r":
            sendNonza(ackElement())
        case "a":
            guard let h = element.attribute("h").flatMap({ UInt32($0) }) else {
                violation(StreamManagementError.handledCountTooHigh(h: 0, sendCount: streamManagement.outboundCount))
                return
            }
            do {
                let settled = try streamManagement.acknowledge(h)
                acknowledgedRequestedAt = max(0, acknowledgedRequestedAt - settled.count)
                let tags = settled.compactMap(\.tag)
                if !tags.isEmpty { events.yield(.acknowledged(tags)) }
                if !settled.isEmpty { wakeBulkSenders() }
            } catch {
                violation(error)
            }
        default:
            log.debug("ignoring stream management <\(element.name)>")
        }
    }

    /// The server acknowledged more than we sent: XEP-0198 §4 says close with this error.
    func violation(_ error: StreamManagementError) {
        guard lifecycle.closeReason == nil else { return }  // already closing: nothing more to say
        log.error("stream management: \(error)")
        guard case .handledCountTooHigh(let h, let sendCount) = error, lifecycle.protocolViolated("\(error)") else { return }
        let streamError = XMLElement("error", namespace: Namespace.streams) {
            XMLElement("undefined-condition", namespace: Namespace.streamErrors)
            XMLElement("handled-count-too-high", namespace: Namespace.streamManagement,
                       attributes: ["h": String(h), "send-count": String(sendCount)])
        }
        smActive = false
        connection?.close(trailer: streamError.serialized(inheritedNamespace: Namespace.client) + StreamTags.closing)
    }

    func ackElement() -> XMLElement {
        XMLElement("a", namespace: Namespace.streamManagement, attributes: ["h": String(streamManagement.inboundCount)])
    }

    func requestAck() {
        // Not before the stream is up: a timer from the last connection must not put `<r/>`
        // in front of the next one's login (stanzas resent on resumption are asked for once online).
        guard smActive, isOnline else { return }
        acknowledgedRequestedAt = streamManagement.unacknowledgedCount
        sendNonza(XMLElement("r", namespace: Namespace.streamManagement))
    }

    /// Asks the server now for an ack of everything sent since the last request (XEP-0198
    /// `<r/>`), rather than at the next batch or after the pause timer: for a sender that
    /// stops because its window of unacknowledged stanzas is full.
    package func requestAcknowledgement() {
        if streamManagement.unacknowledgedCount > acknowledgedRequestedAt { requestAck() }
    }

    /// Asks for an ack shortly after sending pauses, so the last stanzas of a burst are not
    /// left waiting for the next batch.
    func scheduleAckRequest() {
        guard !ackRequestScheduled else { return }
        ackRequestScheduled = true
        clock.after(.milliseconds(100)) { [weak self] in await self?.ackRequestTimerFired() }
    }

    private func ackRequestTimerFired() {
        ackRequestScheduled = false
        if streamManagement.unacknowledgedCount > acknowledgedRequestedAt { requestAck() }
    }
}
