import Support
import XMPPCore

/// "Restart agent", for operators: after a confirmation, the agent goes offline cleanly and exits
/// with a status that makes systemd start it again (see `Config/kinglet.service`).
struct RestartAgentCommand: AdHocCommand {
    let lifecycle: any AgentLifecycle
    let services: DeviceServices
    private let log = Logger("adhoc")

    init(lifecycle: any AgentLifecycle, services: DeviceServices) {
        self.lifecycle = lifecycle
        self.services = services
    }

    var node: String { "restart-agent" }
    var name: String { "Restart agent" }
    var requiredRole: Role { .operator }
    var stageCount: Int { 1 }

    func form(stage: Int, submitted: [DataForm?]) async -> DataForm {
        DataForm(
            .form, title: name,
            instructions: "The agent goes offline, exits, and its service manager starts it again (systemd: after about 5 s). "
                + (await services.restartOutlook()),
            fields: [DataFormField("confirm", type: .boolean, label: "Restart now", required: true, values: ["0"])])
    }

    func complete(submitted: [DataForm], requester: JID) async -> CommandOutcome {
        guard submitted.first?.field("confirm")?.boolValue == true else {
            return .completed([.info("Not restarted.")], nil)
        }
        log.info("restart requested by \(requester)")
        lifecycle.requestRestart(by: requester)
        return .completed([.info("Restarting: the agent goes offline now and comes back in a few seconds.")], nil)
    }
}
