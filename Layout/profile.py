#!/usr/bin/env python3
"""Writes Layout/kinglet.order, the functions the running agent executes, for `make release` to
place together (lld --symbol-ordering-file). Run by `make layout` after code changes; a stale
order file still links (unknown names are skipped), it only packs less well.

The agent (the unstripped release binary, built with function sections) runs under valgrind's
callgrind against a private Prosody: start, login over TLS, sampling and publishing, presence,
idle until --seconds have passed, SIGTERM. Every instruction address it executed in the binary
is mapped to the function symbol that contains it (`nm`); the order file lists those functions
by address. What the agent runs only on requests (readouts, control, chat) is not in it: that
code is read in when first used."""
import argparse
import bisect
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "Tests", "Integration"))

from conftest import start_prosody  # noqa: E402
from harness.agent import Agent, base_config  # noqa: E402


def run_under_callgrind(binary, workdir, seconds):
    prosody = start_prosody(workdir, log_level="warn")
    out = os.path.join(workdir, "callgrind.out")
    try:
        config = base_config(prosody, workdir)
        config["log"] = {"level": "info"}
        agent = Agent(workdir, config, name="profile")
        command = ["valgrind", "--tool=callgrind", "--dump-instr=yes", "--compress-pos=no", "--compress-strings=no",
                   f"--callgrind-out-file={out}", binary, "run", "--config", agent.config_path]
        # Agent.start() runs the binary itself; here valgrind runs it, with the same log reader.
        agent.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                         errors="replace")
        agent._reader = threading.Thread(target=agent._read, args=(agent.process,), daemon=True)
        agent._reader.start()
        agent.wait_online(timeout=120)
        time.sleep(seconds)  # the idle agent samples, publishes and keeps the stream alive meanwhile
        agent.process.send_signal(signal.SIGTERM)
        agent.process.wait(timeout=120)
    finally:
        prosody.stop()
    return out


def executed_addresses(callgrind_out, binary):
    """Instruction addresses executed in `binary` (callgrind gives them relative to the object)."""
    target = os.path.realpath(binary)
    addresses, in_binary = set(), False
    with open(callgrind_out) as f:
        for line in f:
            if line.startswith("ob="):
                in_binary = os.path.realpath(line[3:].strip()) == target
            elif in_binary and line.startswith("0x"):
                addresses.add(int(line.split()[0], 16))
    return addresses


def functions_containing(addresses, binary):
    listing = subprocess.run(["nm", "-n", "-S", binary], capture_output=True, text=True, check=True).stdout
    symbols = []
    for line in listing.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2] in "tTwW":
            symbols.append((int(parts[0], 16), int(parts[1], 16), parts[3]))
    starts = [s[0] for s in symbols]
    hot = {}
    for address in addresses:
        i = bisect.bisect_right(starts, address) - 1
        if i >= 0 and address < symbols[i][0] + symbols[i][1]:
            hot[symbols[i][2]] = symbols[i][0]
    return sorted(hot, key=hot.get)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(REPO, ".build", "release", "kinglet"),
                        help="the unstripped release binary")
    parser.add_argument("--seconds", type=float, default=20.0, help="idle time after login")
    parser.add_argument("--output", default=os.path.join(HERE, "kinglet.order"))
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    with tempfile.TemporaryDirectory(prefix="kinglet-layout-") as workdir:
        out = run_under_callgrind(binary, workdir, args.seconds)
        names = functions_containing(executed_addresses(out, binary), binary)
    with open(args.output, "w") as f:
        f.write("".join(name + "\n" for name in names))
    print(f"{args.output}: {len(names)} functions")


if __name__ == "__main__":
    main()
