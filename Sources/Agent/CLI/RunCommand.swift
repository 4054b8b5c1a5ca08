import Glibc
import Support

/// `kinglet run --config FILE`: the agent in the foreground, for systemd or a terminal.
enum RunCommand: CLICommand {
    static let name = "run"
    static let summary = "Run the agent in the foreground (SIGTERM: goes offline cleanly, exits 0)."
    static let usage = "kinglet run --config FILE"
    static let valueOptions: Set<String> = ["--config"]
    static let flagOptions: Set<String> = []

    static func run(_ arguments: Arguments) async -> Int32 {
        let configuration: AgentConfiguration
        do {
            configuration = try AgentConfiguration.load(path: try arguments.required("--config"))
        } catch let error as UsageError {
            printError("kinglet run: \(error)\nusage: \(usage)")
            return ExitStatus.usage
        } catch {
            printError("\(error)")
            return ExitStatus.config
        }
        Logger.configure(level: configuration.log.level, timestamps: configuration.log.timestamps)
        let log = Logger("agent")
        for warning in configuration.warnings { log.warning(warning) }
        log.info("kinglet \(KingletVersion.string) starting as \(configuration.xmpp.jid)")
        let signals = SignalWatcher()
        let agent: KingletAgent
        do {
            agent = try await KingletAgent.start(configuration: configuration)
        } catch {
            log.error("cannot start: \(error)")
            return ExitStatus.config
        }
        let stopper = Task {
            for await number in signals.signals {
                await agent.stop("received \(number == SIGTERM ? "SIGTERM" : "SIGINT"), shutting down")
                return
            }
        }
        let status = await agent.run()
        stopper.cancel()
        return status
    }
}
