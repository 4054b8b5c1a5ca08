#!/usr/bin/env python3
"""Process-level benchmarks of the real kinglet binary beside a reference agent in C, run by
`make bench`. Both run in the same run against the same private Prosody, one after the other:

- the stripped release binary built with --static-swift-stdlib (size, and symbols by module);
- idle, connected over TLS with the outbox open (SQLite), after settling: resident memory (Rss),
  private memory (Anonymous), the executable's own resident pages, shared libraries' and Pss,
  all from /proc/PID/smaps_rollup and /proc/PID/smaps;
- CPU time to send 20,000 chat messages over TLS until the server has acknowledged all of them
  (XEP-0198, an ack asked for every 25): Kinglet's `kinglet-bench chat-flood` (the agent's own
  session code) and the reference's `flood`, alternating, median of the rounds.

The reference is Benchmarks/reference/refagent.c (libstrophe, OpenSSL, SQLite); its header says
what it does. Each figure is printed as `name  value unit`, like kinglet-bench's; the
`ratio.*` lines are Kinglet's figure over the reference's, the form README states budgets in."""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

from figures import REPO, cpu_seconds, figure, footprint  # noqa: E402  (also puts the test harness on the path)

from conftest import PASSWORDS, start_prosody  # noqa: E402
from harness.agent import Agent, base_config, render_config  # noqa: E402


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


def layout_order_missing(unstripped):
    """How many functions the order file names that the binary no longer has: renamed or removed
    code the release link can no longer place with the rest of what the agent runs."""
    names = set(subprocess.run(["nm", unstripped], capture_output=True, text=True).stdout.split())
    with open(os.path.join(REPO, "Layout", "kinglet.order")) as f:
        return sum(1 for line in f if line.strip() and line.strip() not in names)


# Ratio budgets (Kinglet over the reference), from the project's design budgets.
BUDGETS = {"rss": 1.25, "private": 1.0, "cpu_per_message": 1.0}
LABELS = {"rss": "resident memory (Rss)", "private": "private memory (Anonymous)",
          "binary": "  the executable's own pages", "libraries": "  shared libraries", "pss": "Pss",
          "cpu_per_message": "CPU per message (us)"}


def reference_args(prosody, user="sensor"):
    return ["--jid", prosody.jid(user), "--password", PASSWORDS[user], "--host", "127.0.0.1",
            "--port", str(prosody.c2s_port), "--ca", prosody.pki.ca_file]


def kinglet_idle(binary, workdir, prosody, settle):
    config = base_config(prosody, workdir)
    config["log"] = {"level": "info"}
    agent = Agent(workdir, config, name="idle", binary=binary).start()
    try:
        agent.wait_online(timeout=30)
        time.sleep(settle)  # the measurement window: the agent samples and publishes meanwhile, as it does idle
        pid = agent.process.pid
        return footprint(pid, binary), cpu_seconds(pid)
    finally:
        agent.stop()


def reference_idle(refagent, workdir, prosody, settle):
    process = subprocess.Popen([refagent, "idle", *reference_args(prosody), "--db", os.path.join(workdir, "ref.db")],
                               stdout=subprocess.PIPE, text=True)
    try:
        if process.stdout.readline().strip() != "online":
            raise SystemExit("the reference agent did not come online")
        time.sleep(settle)  # the same window as Kinglet's
        return footprint(process.pid, refagent), cpu_seconds(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=15)


def print_idle(kinglet, reference, settle, kinglet_cpu, reference_cpu):
    for key, unit in [("private", "MiB Anonymous (private memory)"), ("rss", "MiB Rss (resident memory)"),
                      ("binary", "MiB of Rss: the executable's own pages"),
                      ("libraries", "MiB of Rss: shared libraries"), ("pss", "MiB Pss (shared pages split among users)")]:
        figure(f"agent.idle.{key}", kinglet[key], unit)
        figure(f"reference.idle.{key}", reference[key], unit)
        if key in BUDGETS:
            figure(f"ratio.idle.{key}", round(kinglet[key] / reference[key], 2), f"Kinglet / reference (budget: <= {BUDGETS[key]})")
    figure("agent.idle.cpu_during_settle", round(kinglet_cpu, 3), f"s of CPU since start (incl. login), {settle}s run")
    figure("reference.idle.cpu_during_settle", round(reference_cpu, 3), f"s of CPU since start (incl. login), {settle}s run")


def parse_figures(text):
    values = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            try:
                values[parts[0]] = float(parts[1])
            except ValueError:
                pass
    return values


def kinglet_flood(bench_binary, workdir, prosody, count):
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
    return parse_figures(result.stdout)["chat.flood.cpu"]


def reference_flood(refagent, prosody, count):
    result = subprocess.run([refagent, "flood", *reference_args(prosody), "--to", prosody.jid("alice"),
                             "--count", str(count)], capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        print(result.stdout + result.stderr, file=sys.stderr)
        raise SystemExit("the reference agent's flood failed")
    return parse_figures(result.stdout)["reference.chat.flood.cpu"]


def floods(args, workdir, prosody):
    ours, theirs = [], []
    for _ in range(args.rounds):  # alternating, so that a busy moment of the machine hits both
        ours.append(kinglet_flood(args.bench, workdir, prosody, args.messages))
        theirs.append(reference_flood(args.reference, prosody, args.messages))
    kinglet, reference = statistics.median(ours), statistics.median(theirs)
    rounds = f"median of {args.rounds} rounds"
    figure("chat.flood.cpu", round(kinglet, 3), f"s CPU for {args.messages} messages, all acknowledged ({rounds}; "
           + ", ".join(f"{v:.3f}" for v in ours) + ")")
    figure("reference.chat.flood.cpu", round(reference, 3), f"s CPU, the same ({rounds}; "
           + ", ".join(f"{v:.3f}" for v in theirs) + ")")
    per = {"kinglet": kinglet / args.messages * 1e6, "reference": reference / args.messages * 1e6}
    figure("chat.flood.cpu_per_message", round(per["kinglet"], 2), "us")
    figure("reference.chat.flood.cpu_per_message", round(per["reference"], 2), "us")
    figure("ratio.chat.flood.cpu_per_message", round(kinglet / reference, 2),
           f"Kinglet / reference (budget: <= {BUDGETS['cpu_per_message']})")
    return per


def side_by_side(kinglet, reference):
    """The comparison as a table, after the figures."""
    print(f"# {'':<34}{'Kinglet':>10}{'reference':>11}{'ratio':>8}  budget")
    for key, label in LABELS.items():
        if key in kinglet:
            budget = f"<= {BUDGETS[key]}" if key in BUDGETS else ""
            ratio = "" if label.startswith(" ") else f"{kinglet[key] / reference[key]:.2f}"  # parts: no ratio
            print(f"# {label:<34}{kinglet[key]:>10.2f}{reference[key]:>11.2f}{ratio:>8}  {budget}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True, help="the stripped static release binary")
    parser.add_argument("--bench", default=os.path.join(REPO, ".build", "release", "kinglet-bench"))
    parser.add_argument("--unstripped", default=os.path.join(REPO, ".build", "release", "kinglet"))
    parser.add_argument("--reference", default=os.path.join(REPO, ".build", "refagent"),
                        help="the reference agent (Benchmarks/reference/refagent.c, built by make bench)")
    parser.add_argument("--settle", type=float, default=10.0)
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
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
        figure("binary.layout.order_missing", layout_order_missing(args.unstripped),
               "names in Layout/kinglet.order not in the binary (stale: run make layout)")
    with tempfile.TemporaryDirectory(prefix="kinglet-bench-") as workdir:
        prosody = start_prosody(workdir, log_level="warn")
        try:
            kinglet, kinglet_cpu = kinglet_idle(os.path.abspath(args.binary), workdir, prosody, args.settle)
            reference, reference_cpu = reference_idle(os.path.abspath(args.reference), workdir, prosody, args.settle)
            print_idle(kinglet, reference, args.settle, kinglet_cpu, reference_cpu)
            per = floods(args, workdir, prosody)
            kinglet["cpu_per_message"], reference["cpu_per_message"] = per["kinglet"], per["reference"]
            side_by_side(kinglet, reference)
        finally:
            prosody.stop()


if __name__ == "__main__":
    main()
