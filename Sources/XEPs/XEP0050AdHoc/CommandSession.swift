import XMPPCore

/// One running ad-hoc command: which stage it is at and what each stage submitted. A pure value:
/// the handler asks it what an action means, then updates it; the table keeps it between requests.
struct CommandSession: Sendable, Hashable {
    /// What a request asks of the session, once its action is resolved.
    enum Move: Sendable, Hashable {
        case cancel
        /// Show the previous stage again (its earlier answers filled in).
        case back
        /// Submit the current stage's form; `final` when this is the last stage.
        case forward(final: Bool)
    }

    let id: String
    let node: String
    /// The full JID that started it: nobody else may continue it.
    let owner: JID
    let stageCount: Int
    private(set) var stage = 0
    /// The form each stage last submitted, by stage; the stage `prev` returns to keeps its own,
    /// so it shows again.
    private(set) var submitted: [DataForm?]
    /// Monotonic time of the last request; the session expires a lifetime after it.
    var lastActivity: Duration

    init(id: String, node: String, owner: JID, stageCount: Int, now: Duration) {
        precondition(stageCount > 0, "a session needs at least one stage")
        self.id = id
        self.node = node
        self.owner = owner
        self.stageCount = stageCount
        submitted = Array(repeating: nil, count: stageCount)
        lastActivity = now
    }

    var isLastStage: Bool { stage == stageCount - 1 }

    /// What the requester may do at this stage: `prev` after the first, `next` before the
    /// last, `complete` on the last; `execute` means moving forward.
    var actions: CommandActions {
        var allowed: Set<AdHoc.Action> = [isLastStage ? .complete : .next]
        if stage > 0 { allowed.insert(.prev) }
        return CommandActions(allowed: allowed, execute: isLastStage ? .complete : .next)
    }

    /// Resolves the request's action (nil or `execute` mean the default) against what this
    /// stage allows; anything else is `bad-action`. `cancel` is always allowed.
    func move(for action: AdHoc.Action?) throws(StanzaError) -> Move {
        let actions = self.actions
        let resolved = action.flatMap { $0 == .execute ? nil : $0 } ?? actions.execute
        if resolved == .cancel { return .cancel }
        guard actions.allowed.contains(resolved) else {
            throw AdHoc.Condition.badAction.error("'\(resolved.rawValue)' is not possible at this stage")
        }
        return resolved == .prev ? .back : .forward(final: resolved == .complete)
    }

    /// Keeps what the current stage submitted.
    mutating func record(_ form: DataForm) {
        submitted[stage] = form
    }

    /// Moves to the next stage after a submission was accepted.
    mutating func advance() {
        precondition(!isLastStage, "the last stage completes, it does not advance")
        stage += 1
    }

    /// Moves to the previous stage. What later stages submitted is forgotten: it answered the
    /// earlier choice, which may now change.
    mutating func goBack() {
        precondition(stage > 0, "the first stage has nothing before it")
        for later in stage..<stageCount { submitted[later] = nil }
        stage -= 1
    }
}
