#!/usr/bin/env python3
"""Process-level benchmarks of the real kinglet binary, run by `make bench`:

- the stripped release binary built with --static-swift-stdlib (size);
- the agent's private (RssAnon) and total (VmRSS) memory, connected over TLS to a local
  Prosody with SQLite open, after it has settled;
- CPU time to send 20,000 chat messages over TLS (kinglet-bench chat-flood, which drives the
  same session code the agent runs), compared with the DESIGN.md budget.

Each figure is printed as `name  value unit`, like kinglet-bench's."""
import argparse
import os
import subprocess
import sys
import tempfile
import time

from figures import REPO, figure, status_kib  # noqa: E402  (also puts the test harness on the path)

from conftest import PASSWORDS, start_prosody  # noqa: E402
from harness.agent import Agent, base_config, render_config  # noqa: E402
from harness.wait import wait_until  # noqa: E402


def code_size_by_module(unstripped):
    """Bytes of symbols per Swift module in the unstripped release binary (`nm -S`): where the
    binary's size comes from. The standard library's symbols are mangled `$ss...`."""
    import collections
    import re
    listing = subprocess.run(["nm", "-S", "--size-sort", unstripped], capture_output=True, text=True).stdout
    sizes = collections.Counter()
    for line in listing.splitlines():
        parts = line.split()
        if len(parts) < 4:
            continue
        size, name = int(parts[1], 16), parts[3]
        match = re.match(r"\$s(\d+)(\w+)", name)
        if match:
            module = match.group(2)[:int(match.group(1))]
        elif name.startswith("$ss") or name.startswith("$sS"):
            module = "Swift standard library"
        elif name.startswith("_Z") or "swift" in name.lower():
            module = "Swift runtime (C++)"
        else:
            module = "C and other"
        sizes[module] += size
    return sizes


def mapped_file_kib(pid, binary):
    """(RSS of the binary's own mappings, RSS of other file mappings, total Pss), in KiB."""
    own = libraries = pss = 0
    path = None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            parts = line.split()
            if parts and "-" in parts[0] and len(parts) >= 5 and ":" in parts[3]:
                path = parts[5] if len(parts) > 5 else None
            elif parts[:1] == ["Rss:"] and path and path.startswith("/"):
                if os.path.realpath(path) == os.path.realpath(binary):
                    own += int(parts[1])
                else:
                    libraries += int(parts[1])
            elif parts[:1] == ["Pss:"]:
                pss += int(parts[1])
    return own, libraries, pss


def idle_memory(binary, workdir, prosody, settle):
    config = base_config(prosody, workdir)
    config["log"] = {"level": "info"}
    agent = Agent(workdir, config, name="idle", binary=binary).start()
    agent.wait_online(timeout=30)
    time.sleep(settle)  # let it settle into its idle state; this is the measurement window, not a wait for a condition
    pid = agent.process.pid
    figure("agent.idle.rss_anon", round(status_kib(pid, "RssAnon") / 1024, 2), "MiB (budget: <= 1.9 MiB, the C agent)")
    figure("agent.idle.vm_rss", round(status_kib(pid, "VmRSS") / 1024, 2), "MiB (budget: <= 10 MiB)")
    own, libraries, pss = mapped_file_kib(pid, binary)
    figure("agent.idle.rss_file.binary", round(own / 1024, 2), "MiB of VmRSS: the binary's own pages")
    figure("agent.idle.rss_file.libraries", round(libraries / 1024, 2), "MiB of VmRSS: shared libraries (libc, libxml2, mbedTLS, ...)")
    figure("agent.idle.pss", round(pss / 1024, 2), "MiB proportional set size (shared pages split among their users)")
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    figure("agent.idle.cpu_during_settle", round(cpu, 3), f"s of CPU since start (incl. login), {settle}s run")
    agent.stop()


def chat_flood(bench_binary, workdir, prosody, count):
    config = base_config(prosody, workdir)
    config["log"] = {"level": "warning"}
    path = os.path.join(workdir, "flood.toml")
    with open(path, "w") as f:
        f.write(render_config(config))
    result = subprocess.run([bench_binary, "chat-flood", "--config", path, "--to", prosody.jid("alice"),
                             "--count", str(count)], capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        print(result.stdout + result.stderr, file=sys.stderr)
        raise SystemExit("chat-flood failed")
    sys.stdout.write(result.stdout)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True, help="the stripped static release binary")
    parser.add_argument("--bench", default=os.path.join(REPO, ".build", "release", "kinglet-bench"))
    parser.add_argument("--unstripped", default=os.path.join(REPO, ".build", "release", "kinglet"))
    parser.add_argument("--settle", type=float, default=10.0)
    parser.add_argument("--messages", type=int, default=20000)
    args = parser.parse_args()

    figure("binary.static_stripped.size", round(os.path.getsize(args.binary) / 1e6, 2), "MB (budget: <= 16 MB)")
    ours = {"Support", "TOML", "XMLStream", "Crypto", "XMPPCore", "Transport", "Session", "Devices", "Store", "XEPs",
            "Agent", "kinglet"}
    if os.path.exists(args.unstripped):
        sizes = code_size_by_module(args.unstripped)
        figure("binary.symbols.kinglet_modules", round(sum(v for k, v in sizes.items() if k in ours) / 1e6, 2),
               "MB of symbols in Kinglet's own modules")
        figure("binary.symbols.swift_stdlib_runtime",
               round(sum(v for k, v in sizes.items() if k not in ours) / 1e6, 2),
               "MB of symbols in the Swift standard library, runtime, concurrency and Dispatch")
    with tempfile.TemporaryDirectory(prefix="kinglet-bench-") as workdir:
        prosody = start_prosody(workdir, log_level="warn")
        try:
            idle_memory(os.path.abspath(args.binary), workdir, prosody, args.settle)
            chat_flood(args.bench, workdir, prosody, args.messages)
        finally:
            prosody.stop()


if __name__ == "__main__":
    main()
