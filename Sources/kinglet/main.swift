import Agent
import Fleet
import Glibc

exit(await CLI.main(CommandLine.arguments, extraCommands: [FleetCommand.self]))
