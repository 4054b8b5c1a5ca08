import Synchronization
import XEPs
import XMPPCore

/// Remembers that a restart was asked for (the ad-hoc command "Restart agent"). The agent
/// checks it after routing each stanza, so the command's reply is sent before the goodbye.
final class RestartLatch: AgentLifecycle {
    private let requested = Atomic<Bool>(false)

    func requestRestart(by requester: JID) {
        requested.store(true, ordering: .sequentiallyConsistent)
    }

    /// True once, after a request.
    func take() -> Bool {
        requested.exchange(false, ordering: .sequentiallyConsistent)
    }
}
