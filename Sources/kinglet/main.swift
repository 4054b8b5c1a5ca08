import Agent
import Glibc

exit(await CLI.main(CommandLine.arguments))
