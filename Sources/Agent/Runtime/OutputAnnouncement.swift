import Devices
import Support

/// The running agent's outputs, announced in the runtime directory so that `kinglet set`
/// refuses to drive them behind its back (see `OutputClaims`). Another process already driving
/// one of them is worth a warning, not a refusal to start: the agent's outputs report their own
/// failures (a held GPIO line names its holder).
enum OutputAnnouncement {
    static func announce(_ profile: DeviceProfile, configFile: String, log: Logger) -> OutputClaimFile? {
        let keyed = profile.controls.compactMap { control in
            OutputClaims.key(control.target, paths: .system).map { (control.name, $0) }
        }
        guard !keyed.isEmpty else { return nil }
        for holder in OutputClaims.holders() {
            let shared = keyed.filter { holder.outputs.contains($0.1) }.map(\.0)
            if !shared.isEmpty {
                log.warning("\(shared.joined(separator: ", ")) also driven by pid \(holder.pid) (\(holder.command))")
            }
        }
        do {
            return try OutputClaims.claim(OutputClaim(command: "kinglet run --config \(configFile)", outputs: keyed.map(\.1)))
        } catch {
            log.warning("cannot announce the outputs in \(OutputClaims.directory), so kinglet set cannot see them: \(error)")
            return nil
        }
    }
}
