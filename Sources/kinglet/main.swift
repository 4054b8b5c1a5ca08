import Agent
import Doctor
import Fleet
import Glibc

exit(await CLI.main(CommandLine.arguments, extraCommands: [FleetCommand.self, DoctorCommand.self]))
