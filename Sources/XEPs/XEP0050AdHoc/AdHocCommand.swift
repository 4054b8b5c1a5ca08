package import XMPPCore

/// One ad-hoc command the device offers. A command is a few stages, each a form; the handler
/// runs the session (ids, actions, expiry), the command says what each stage shows and does.
protocol AdHocCommand: Sendable {
    /// The command's node, unique among the device's commands.
    var node: String { get }
    /// What clients list it as.
    var name: String { get }
    /// The least role that sees and runs it.
    var requiredRole: Role { get }
    /// How many forms it shows before completing; 0 runs at once on `execute`.
    var stageCount: Int { get }

    /// The form of `stage`, with what that stage submitted before (after `prev`) filled in.
    func form(stage: Int, submitted: [DataForm?]) async -> DataForm
    /// Checks a stage before the last; a message shows the stage again with it as an error note.
    func check(stage: Int, form: DataForm, submitted: [DataForm?]) async -> String?
    /// Runs the command with every stage's form (empty when `stageCount` is 0).
    func complete(submitted: [DataForm], requester: JID) async -> CommandOutcome
}

extension AdHocCommand {
    func check(stage: Int, form: DataForm, submitted: [DataForm?]) async -> String? { nil }
}

/// How a command's last stage ended.
enum CommandOutcome: Sendable, Hashable {
    /// Done: the session closes with these notes and an optional result form.
    case completed([CommandResponse.Note], DataForm?)
    /// Not done: the last stage shows again with this error note, so the person can correct it.
    case retry(String)
}

/// What the agent lets commands do to the agent itself.
package protocol AgentLifecycle: Sendable {
    /// Asks the agent to go offline cleanly and exit so that its supervisor (systemd) starts it
    /// again. The agent acts once the reply to the current request is on its way.
    func requestRestart(by requester: JID)
}
