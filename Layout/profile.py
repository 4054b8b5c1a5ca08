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


WINDOW = 64 * 1024  # the kernel's fault-around: a page fault on the binary maps the 64 KiB around it


def input_sections(map_file):
    """(address, size) of every input section of .text in the linker's map (lld -Map: columns
    VMA, LMA, Size, Align, then the output section's name, or an input section's indented by 8,
    or a symbol's by 16)."""
    sections, output = [], None
    with open(map_file) as f:
        next(f)
        for line in f:
            fields, name = line[:48].split(), line[49:].rstrip("\n")
            if len(fields) != 4:
                continue
            if not name.startswith(" "):
                output = name
            elif output == ".text" and not name.startswith(" " * 9) and int(fields[2], 16):
                sections.append((int(fields[0], 16), int(fields[2], 16)))
    return sorted(sections)

def functions_containing(addresses, binary, map_file):
    """The executed functions, by address, in the order lld is to place them. lld orders whole
    input sections, and a name defined more than once orders every section holding a copy
    (`$sSqwxx` is also in the Swift regex libraries' one 480 KiB section). A large section that
    the agent runs only a little of (a C library's object, a Swift library's module) goes last:
    among the hot code it would make all of itself resident, behind it only the 64 KiB
    fault-around windows it runs in."""
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
    sections = input_sections(map_file)
    section_starts = [s[0] for s in sections]
    windows = {}  # section -> the 64 KiB windows of it that executed functions occupy
    owners = {}  # name -> the sections holding a copy of it
    for start, size, name in symbols:
        if name not in hot:
            continue
        i = bisect.bisect_right(section_starts, start) - 1
        if i >= 0 and start < sections[i][0] + sections[i][1]:
            base = sections[i][0]
            owners.setdefault(name, []).append(sections[i])
            windows.setdefault(sections[i], set()).update(
                range((start - base) // WINDOW, (start + max(size, 1) - 1 - base) // WINDOW + 1))
    sparse = {name for name, held in owners.items()
              if any(section[1] > len(windows[section]) * WINDOW for section in held)}
    by_address = sorted(hot, key=hot.get)
    return [n for n in by_address if n not in sparse] + [n for n in by_address if n in sparse]

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(REPO, ".build", "release", "kinglet"),
                        help="the unstripped release binary")
    parser.add_argument("--seconds", type=float, default=20.0, help="idle time after login")
    parser.add_argument("--map", default=os.path.join(REPO, ".build", "kinglet.map"),
                        help="the linker's map of that binary (make layout links it with -Map)")
    parser.add_argument("--output", default=os.path.join(HERE, "kinglet.order"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kinglet-layout-") as workdir:
        # Without debug information, with the symbol table: valgrind 3.19 gives up on the DWARF 5
        # that clang writes for the C code linked in, and the addresses are the same.
        binary = os.path.join(workdir, "kinglet")
        subprocess.run(["objcopy", "--strip-debug", os.path.abspath(args.binary), binary], check=True)
        out = run_under_callgrind(binary, workdir, args.seconds)
        names = functions_containing(executed_addresses(out, binary), binary, args.map)
    with open(args.output, "w") as f:
        f.write("".join(name + "\n" for name in names))
    print(f"{args.output}: {len(names)} functions")


if __name__ == "__main__":
    main()
