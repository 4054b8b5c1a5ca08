import Devices
import Glibc
import Readings
import Store
import Support
import XEPs

/// `kinglet set --profile PROFILE NAME VALUE...`: sets controls from the shell with no server,
/// for the person wiring a relay. Every value is checked as a set from the network is (the same
/// sentences as chat) before any output is touched; then they are applied in order and what the
/// targets read back is printed. Refuses while a running agent (or another `kinglet set --hold`)
/// drives the same outputs, naming it and how to stop it. Only the named controls are touched:
/// each output is prepared straight at its new value, so a relay does not blink through its
/// initial value on the way. With `--config`, the values are also saved for the agent to
/// restore at its next start.
enum SetCommand: CLICommand {
    static let name = "set"
    static let summary = "Set controls from the shell, checked like a set from the network; no server needed."
    static let usage = "kinglet set --profile PROFILE | --config FILE [--hold] NAME VALUE [NAME VALUE...]"
    static let valueOptions: Set<String> = ["--profile", "--config"]
    static let flagOptions: Set<String> = ["--hold"]

    static func run(_ arguments: Arguments) async -> Int32 {
        let target: SetTarget
        let changes: [(ControlDefinition, String)]
        do {
            target = try SetTarget.load(arguments)
            changes = try pairs(arguments.positional, in: target.profile)
        } catch let error as UsageError {
            printError("kinglet set: \(error)\nusage: \(usage)")
            return ExitStatus.usage
        } catch let error as SetRefusal {
            printError("kinglet set: \(error.message); nothing was set")
            return ExitStatus.failure
        } catch {
            printError("\(error)")
            return ExitStatus.config
        }
        // Checked before anything is touched: a bad value anywhere applies nothing.
        var valid: [(ControlDefinition, ControlValue)] = []
        for (control, text) in changes {
            do {
                valid.append((control, try control.parse(text)))
            } catch {
                printError("kinglet set: \(control.refusal(of: text)); nothing was set")
                return ExitStatus.failure
            }
        }
        Logger.configure(level: .error)
        guard case .claimed(let claim) = claimOutputs(valid.map(\.0)) else { return ExitStatus.failure }
        let (status, outputs) = await apply(valid)
        if let configuration = target.configuration {
            await save(valid.prefix(outputs.count - (status == ExitStatus.success ? 0 : 1)), in: configuration)
        }
        if status == ExitStatus.success, arguments.has("--hold") {
            print("holding the outputs until Ctrl-C or SIGTERM")
            await Interrupt.install()?.waitForever()
        } else if valid.contains(where: { $0.0.target.kind == "gpio" }) {
            print("note: GPIO lines are let go when kinglet set exits; most drivers keep the level, some return the line "
                + "to its default; --hold keeps holding them until Ctrl-C")
        }
        withExtendedLifetime((claim, outputs)) {}
        return status
    }

    /// NAME VALUE pairs, each name a control of the profile.
    static func pairs(_ words: [String], in profile: DeviceProfile) throws -> [(ControlDefinition, String)] {
        guard !words.isEmpty, words.count % 2 == 0 else { throw UsageError("give NAME VALUE pairs, e.g. relay on") }
        var pairs: [(ControlDefinition, String)] = []
        for i in stride(from: 0, to: words.count, by: 2) {
            guard let control = profile.controls.named(words[i]) else {
                throw SetRefusal(message: profile.controls.notAControl(words[i], sensors: profile.sensors.map(\.name)))
            }
            pairs.append((control, words[i + 1]))
        }
        return pairs
    }

    enum Claim {
        /// The outputs are announced (nil: announcing failed, which only others would notice).
        case claimed(OutputClaimFile?)
        case refused
    }

    /// Announces the outputs this command drives, after making sure no running process drives
    /// any of them; `.refused` (having said why) when one does.
    private static func claimOutputs(_ controls: [ControlDefinition]) -> Claim {
        let keys = controls.map { OutputClaims.key($0.target, paths: .system) }
        for holder in OutputClaims.holders() {
            let driven = controls.indices.filter { keys[$0].map(holder.outputs.contains) ?? false }.map { controls[$0].name }
            guard !driven.isEmpty else { continue }
            printError(
                "kinglet set: \(driven.joined(separator: ", ")) \(driven.count == 1 ? "is" : "are") driven by a running "
                    + "process (pid \(holder.pid): \(holder.command)); nothing was set. Stop it first (\(holder.stopHint)), "
                    + "or set \(driven.count == 1 ? "it" : "them") through the agent (chat: set \(driven[0]) VALUE)")
            return .refused
        }
        let command = (["kinglet"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        do {
            return .claimed(try OutputClaims.claim(OutputClaim(command: command, outputs: keys.compactMap { $0 })))
        } catch {
            printError("warning: cannot announce the outputs in \(OutputClaims.directory): \(error)")
            return .claimed(nil)
        }
    }

    /// Applies each value in order, printing what the target now reports; stops at the first
    /// failure (the values before it stay applied: hardware cannot be rolled back). Returns the
    /// outputs, which hold their GPIO lines for as long as they live.
    private static func apply(_ changes: [(ControlDefinition, ControlValue)]) async -> (Int32, [any ControlOutput]) {
        var outputs: [any ControlOutput] = []
        for (control, value) in changes {
            var definition = control
            definition.initial = value
            let output = OutputFactory.make(control.target, paths: .system)
            outputs.append(output)
            do {
                let applied = try await output.boundedPrepare(definition) ?? value
                print("\(control.name) is now \(HumanText.value(applied, of: control))")
            } catch {
                printError("kinglet set: could not set \(control.name): \(error)")
                return (ExitStatus.failure, outputs)
            }
        }
        return (ExitStatus.success, outputs)
    }
}

extension SetCommand {
    /// Keeps the values applied in the agent's outbox file, as a set from the network is kept,
    /// and says what the agent will do with them at its next start.
    static func save(_ applied: ArraySlice<(ControlDefinition, ControlValue)>, in configuration: AgentConfiguration) async {
        guard !applied.isEmpty else { return }
        let store: ReadingStore
        do {
            store = try await ReadingStore(configuration: configuration.store)
        } catch {
            printError("warning: not saved in \(configuration.store.path): \(error)")
            return
        }
        let setter = "kinglet set (\(userName()))"
        var restored: [String] = []
        var initial: [String] = []
        for (control, value) in applied {
            guard await store.save(ControlState(name: control.name, value: value, setBy: setter, setAt: Timestamp.now())) else {
                printError("warning: \(control.name) not saved in \(configuration.store.path)")
                continue
            }
            if control.restore == .last { restored.append(control.name) } else { initial.append(control.name) }
        }
        await store.close()
        if !restored.isEmpty {
            print("saved: the agent starts \(restored.joined(separator: ", ")) at \(restored.count == 1 ? "this value" : "these values")")
        }
        if !initial.isEmpty {
            let one = initial.count == 1
            print("saved, but \(initial.joined(separator: ", ")) \(one ? "starts at its initial value" : "start at their initial values") (restore = \"initial\")")
        }
    }

    /// The user running the command, for the record of who set a control.
    static func userName() -> String {
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "uid \(getuid())"
    }
}

/// A name that is no control: refused like a set from the network, not a usage error.
struct SetRefusal: Error {
    var message: String
}

/// What `kinglet set` works on: the profile, from `--profile` or the config's `[device]`.
struct SetTarget {
    var profile: DeviceProfile
    /// The agent's config, when given: its outbox is where set values are kept.
    var configuration: AgentConfiguration?

    static func load(_ arguments: Arguments) throws -> SetTarget {
        if let path = arguments.value("--config") {
            let configuration = try AgentConfiguration.load(path: path)
            return SetTarget(profile: configuration.device.profile, configuration: configuration)
        }
        guard let reference = arguments.value("--profile") else { throw UsageError("--profile PROFILE or --config FILE is required") }
        return SetTarget(profile: try DeviceProfile.load(reference: reference))
    }
}
