import Agent
import Doctor
import Fleet
import Glibc

// The command runs as a task on the cooperative pool while the main thread waits for its exit
// status. A top-level `await` would hand the main thread to dispatch_main(), which ends it with
// pthread_exit: a forced unwind that reads the binary's unwind tables and so keeps about
// 0.9 MiB of them resident for the life of the agent (README, Figures). Detached: top-level code
// is on the main actor, whose queue nothing drains while the main thread waits.
let finished = ExitLatch()
Task.detached {
    finished.release(with: await CLI.main(CommandLine.arguments, extraCommands: [FleetCommand.self, DoctorCommand.self]))
}
exit(finished.wait())
