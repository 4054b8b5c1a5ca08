import Support
import Transport
import XMLStream
import XMPPCore

extension XMPPSession {
    func startNegotiation(secure: Bool) {
        var settings = StreamNegotiator.Settings(
            jid: configuration.jid, resource: configuration.resource, password: configuration.password,
            hasClientCertificate: configuration.tls.clientCertificate != nil,
            enableStreamManagement: configuration.streamManagement, resumptionSeconds: configuration.resumptionSeconds)
        if smActive, let id = streamManagement.resumptionID, let previous = lastBoundJID {
            settings.resumption = (id, streamManagement.inboundCount, previous)
        }
        let negotiator = StreamNegotiator(settings: settings, secure: secure)
        self.negotiator = negotiator
        perform(negotiator.start())
    }

    /// Advances the negotiation with `step` and carries out what it decides. A failure is
    /// logged and the connection closed; the run loop then backs off and tries again.
    func negotiate(_ step: (inout StreamNegotiator) throws(NegotiationError) -> [NegotiationAction]) {
        guard var negotiator else { return }
        do {
            let actions = try step(&negotiator)
            self.negotiator = negotiator
            perform(actions)
        } catch {
            self.negotiator = nil
            failNegotiation(error)
        }
    }

    private func failNegotiation(_ error: NegotiationError) {
        perform(lifecycle.negotiationFailed(error))
    }

    private func perform(_ actions: [NegotiationAction]) {
        var enabledNow = false
        for action in actions {
            switch action {
            case .openStream(let header):
                connection?.send(header)
            case .send(let element):
                sendNonza(element)
            case .startTLS:
                connection?.startTLS()
            case .restartStream(let header):
                connection?.restartStream(header: header)
            case .authenticated(let mechanism):
                log.info("authenticated with \(mechanism.name)")
                connectionInfo.mechanism = mechanism.name
            case .streamManagementEnabled(let id, let resume, let max, let location):
                endPreviousStreamManagement()
                enabledNow = true
                streamManagement.enabled(id: id, resume: resume, max: max, location: location)
                smActive = true
                acknowledgedRequestedAt = 0
                log.debug("stream management on" + (resume ? ", resumable for \(max.map { "\($0)s" } ?? "the server's default")" : ""))
            case .resumed(let h):
                resumed(h: h)
            case .resumptionFailed(let h):
                log.info("session could not be resumed; starting a new one")
                endPreviousStreamManagement(failedH: h)
            case .ready(let jid, let resumed, _):
                // A new session on a stream without XEP-0198 (another server after a redirect,
                // a changed configuration): the last stream's counters and queue mean nothing here.
                if !resumed, !enabledNow { endPreviousStreamManagement() }
                negotiator = nil
                becameOnline(jid, resumed: resumed)
            }
        }
    }

    /// Drops what stream management kept of a stream that will not be resumed: what `failedH`
    /// (from `<failed h/>`) still acknowledges goes to its senders as `.acknowledged`, the rest
    /// as `.unacknowledged`, and requests still waiting for an answer on it fail as `.offline`.
    func endPreviousStreamManagement(failedH: UInt32? = nil) {
        failPendingRequests()
        let (settled, lost) = streamManagement.reset(failedH: failedH)
        smActive = false
        let settledTags = settled.compactMap(\.tag)
        if !settledTags.isEmpty { events.yield(.acknowledged(settledTags)) }
        let lostTags = lost.compactMap(\.tag)
        if !lostTags.isEmpty { events.yield(.unacknowledged(lostTags)) }
    }

    private func resumed(h: UInt32) {
        do {
            let (settled, resend) = try streamManagement.resumed(h: h)
            let tags = settled.compactMap(\.tag)
            if !tags.isEmpty { events.yield(.acknowledged(tags)) }
            acknowledgedRequestedAt = 0
            if let connection {
                for stanza in resend { transmit(stanza, on: connection) }
            }
            log.debug("resumed; \(settled.count) acknowledged, \(resend.count) sent again")
        } catch {
            violation(error)
        }
    }

    private func becameOnline(_ jid: JID, resumed: Bool) {
        boundJID = jid
        lastBoundJID = jid
        connectionInfo.onlineSince = Timestamp.now()
        let actions = lifecycle.wentOnline(as: jid, resumed: resumed, at: clock.now())
        if !resumed { streamGeneration += 1 } else { restartRequestDeadlines() }
        perform(actions)
        requestAcknowledgement()  // for what resumption sent again
        events.yield(.online(jid, resumed: resumed))
    }
}
