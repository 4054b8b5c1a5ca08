#!/usr/bin/env python3
"""A fleet on one box, run by `make bench-fleet` (not by `make test`): `kinglet fleet simulate`
against a private ejabberd on loopback, and the fleet console watching it.

- login storm: N devices (1,000) started at --rate logins per second; the time until all are
  online as the simulator measures it, logins per second, and how many failed;
- cost per device: the simulator's RssAnon divided by the number of devices, at 100 and at N,
  while they publish every 5 s (the simulated profile); the simulator's CPU per device per hour,
  publishing every 5 s and idle (interval 1 h: only keep-alive pings and presence checks); the
  ejabberd node's resident memory with the N devices online;
- the console at scale, logged in as an operator that a shared roster group gives every
  device: `kinglet fleet list` (time until it lists all N), `kinglet fleet read --all` (total
  time, per-device latency p50/p99), and `kinglet fleet export` over --export-minutes while the
  N devices publish every 5 s: every reading the server acknowledged exported exactly once,
  and how far behind the readings' own time the lines arrive (p50/p99).

Accounts are made in one `ejabberdctl import_piefxis` (harness/ejabberd.py). The devices'
outboxes use `synchronous = off`: a thousand devices committing every second would measure the
disk. Each figure is printed as `name  value unit`."""
import argparse
import calendar
import json
import os
import tempfile
import time

from figures import REPO, cpu_seconds, figure, status_kib  # noqa: E402  (also puts the test harness on the path)

from harness.console import Export, check_every_sequence_once, console_config, fleet_cli  # noqa: E402
from harness.ejabberd import Ejabberd, available  # noqa: E402
from harness.simulator import PASSWORD, Simulator, simulator_config, users  # noqa: E402


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, len(ordered) * p // 100)]


def start_server(workdir, count):
    server = Ejabberd(workdir, log_level="warning")
    server.start()
    started = time.monotonic()
    server.register_many(users(count) + ["console"], PASSWORD)
    figure("fleet.accounts.import", round(time.monotonic() - started, 1), f"s to create {count + 1} accounts (one import_piefxis)")
    # The console sees every device and each device sees the console: two groups that show each
    # other (all accounts in one, the console in the other), not one group of everyone, whose
    # presence would go from every device to every device.
    for command in (["srg_create", "devices", server.domain, "devices", "simulated devices", "operators"],
                    ["srg_create", "operators", server.domain, "operators", "fleet operators", "devices"],
                    ["srg_user_add", "@all@", server.domain, "devices", server.domain],
                    ["srg_user_add", "console", server.domain, "operators", server.domain]):
        result = server.ctl(*command)
        if result.returncode != 0:
            raise SystemExit(f"ejabberdctl {' '.join(command)}: {result.stdout}{result.stderr}")
    return server


def simulate(args, workdir, server, count, name, **device):
    """A simulator with outboxes of its own (workdir/NAME/sim/N.db)."""
    directory = os.path.join(workdir, name)
    os.makedirs(directory)
    simulator = Simulator(directory, simulator_config(server, directory, **device), count, rate=args.rate,
                          binary=args.binary, name=name).start()
    seconds, rate = simulator.wait_all_online(timeout=args.storm_timeout)
    return simulator, seconds, rate


def memory(simulator, count, label, settle):
    time.sleep(settle)  # the measurement window after the storm, not a wait for a condition
    anon = status_kib(simulator.pid, "RssAnon")
    figure(f"fleet.memory.{label}.rss_anon_per_device", round(anon / count, 1),
           f"KiB RssAnon / {count} devices (budget: <= 256 KiB)")
    figure(f"fleet.memory.{label}.rss_anon", round(anon / 1024, 1), "MiB RssAnon, the whole simulator")
    figure(f"fleet.memory.{label}.vm_rss", round(status_kib(simulator.pid, "VmRSS") / 1024, 1), "MiB VmRSS")


def cpu_per_device_hour(simulator, count, window, label, what):
    before = cpu_seconds(simulator.pid)
    time.sleep(window)  # the measurement window
    used = cpu_seconds(simulator.pid) - before
    figure(f"fleet.cpu.{label}", round(used / count * 3600 / window, 2), f"s CPU per device per hour, {what} ({window:.0f} s window)")


def stop(simulator, count, label):
    started = time.monotonic()
    status, clean, failed = simulator.stop(timeout=120)
    figure(f"fleet.stop.{label}", round(time.monotonic() - started, 1),
           f"s for Ctrl-C to take {count} devices offline ({clean} cleanly, {failed} failed, exit {status})")


def console(args, workdir, server, simulator, count):
    config = console_config(workdir, server, "console", PASSWORD)
    result, seconds = fleet_cli(config, "list", "--json", "--wait", "30", binary=args.binary)
    listed = result.stdout.count('"online":true')
    figure("fleet.console.list", round(seconds, 1), f"s from start to a list of {listed} online devices of {count} (budget: <= 10 s)")
    if listed < count:
        print(f"# list (exit {result.returncode}) ends with: {result.stdout[-300:]!r} {result.stderr.strip()[-800:]}")
    result, seconds = fleet_cli(config, "read", "--all", "--field", "temperature", "--json", binary=args.binary)
    readouts = json.loads(result.stdout) if result.stdout.strip() else []
    if not readouts:
        print(f"# read --all printed nothing (exit {result.returncode}): {result.stdout[:300]!r} {result.stderr.strip()[-800:]}")
    ok = [r["ms"] for r in readouts if r["result"] == "ok"]
    figure("fleet.console.read_all", round(seconds, 1), f"s for read --all, login included: {len(ok)} of {len(readouts)} ok (budget: <= 10 s)")
    if ok:
        figure("fleet.console.read_all.latency.p50", round(percentile(ok, 50), 1), "ms per device, request to last answer")
        figure("fleet.console.read_all.latency.p99", round(percentile(ok, 99), 1), "ms")
    export = Export(config, workdir, binary=args.binary)
    started = time.monotonic()
    cpu_before = cpu_seconds(export.process.pid) if export.process.poll() is None else 0
    time.sleep(args.export_minutes * 60)  # the export's measurement window
    cpu = cpu_seconds(export.process.pid) - cpu_before
    # After the read --all and minutes of publishing: what the storm's figure does not show.
    memory(simulator, count, f"{count}.after_export", 0)
    stop(simulator, count, "after_export")  # a clean stop: every device's outbox says what it had acknowledged
    time.sleep(5)  # the last notifications in flight reach the console: then the ledger is compared
    records = export.stop()
    elapsed = time.monotonic() - started
    devices = {server.jid(user): os.path.join(simulator.workdir, "sim", f"{user.split('-')[1]}.db") for user in users(count)}
    # From the first reading the export saw of each device: it started minutes after them.
    problems = check_every_sequence_once(records, devices, from_start=False)
    figure("fleet.console.export.readings", len(records), f"readings exported in {elapsed:.0f} s from {count} devices publishing every 5 s")
    figure("fleet.console.export.problems", len(problems), "devices with a missing or doubled reading (expected 0)"
           + ("" if not problems else ": " + "; ".join(problems[:3])))
    if problems:
        with open(os.path.join(workdir, "export.log"), errors="replace") as f:
            print("# the export's log ends with:\n# " + "\n# ".join(f.read().splitlines()[-10:]))
    live = [r["arrived"] - parse_time(r["timestamp"]) for r in records if r["delivery"] == "live"]
    if live:
        figure("fleet.console.export.lag.p50", round(percentile(live, 50) * 1000), "ms from a reading's time to its line (live)")
        figure("fleet.console.export.lag.p99", round(percentile(live, 99) * 1000), "ms")
    figure("fleet.console.export.cpu", round(cpu / (args.export_minutes * 60) * 100, 1), "% of one core for the console's export")


def parse_time(stamp):
    main, _, fraction = stamp.rstrip("Z").partition(".")
    return calendar.timegm(time.strptime(main, "%Y-%m-%dT%H:%M:%S")) + (float("0." + fraction) if fraction else 0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(REPO, ".build", "kinglet-stripped"))
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--small", type=int, default=100, help="the smaller fleet whose memory is also measured")
    parser.add_argument("--rate", type=float, default=100, help="logins per second the simulator starts")
    parser.add_argument("--storm-timeout", type=float, default=120)
    parser.add_argument("--settle", type=float, default=30)
    parser.add_argument("--cpu-window", type=float, default=60)
    parser.add_argument("--export-minutes", type=float, default=10)
    parser.add_argument("--skip", default="", help="comma-separated phases to leave out: idle, small")
    args = parser.parse_args()
    args.binary = os.path.abspath(args.binary)
    why_not = available()
    if why_not:
        raise SystemExit(why_not)
    with tempfile.TemporaryDirectory(prefix="kinglet-bench-fleet-") as workdir:
        server = start_server(workdir, args.count)
        try:
            fleet, seconds, rate = simulate(args, workdir, server, args.count, "storm")
            figure("fleet.storm.all_online", seconds, f"s until {args.count} devices are online, started at {args.rate:g}/s (budget: <= 60 s)")
            figure("fleet.storm.logins_per_second", rate, "logins/s over that time")
            online, reconnecting, failed, _ = fleet.wait_counts(timeout=15)
            figure("fleet.storm.failed", failed, f"devices failed ({online} online, {reconnecting} reconnecting at the next count)")
            memory(fleet, args.count, str(args.count), args.settle)
            figure("fleet.server.ejabberd_rss", round(sum(status_kib(pid, "VmRSS") for pid in server._vm_pids()) / 1024, 1),
                   f"MiB VmRSS of the ejabberd node with {args.count} devices online")
            cpu_per_device_hour(fleet, args.count, args.cpu_window, "publishing", "publishing every 5 s")
            console(args, workdir, server, fleet, args.count)  # stops the fleet at the end

            if "idle" not in args.skip:
                idle, _, _ = simulate(args, workdir, server, args.count, "idle", interval="1h")
                time.sleep(args.settle)  # the login's own work is over before the window opens
                cpu_per_device_hour(idle, args.count, args.cpu_window * 2, "idle", "idle (pings and presence checks)")
                stop(idle, args.count, "idle")
            if "small" not in args.skip:
                small, _, _ = simulate(args, workdir, server, args.small, "small")
                memory(small, args.small, str(args.small), args.settle)
                stop(small, args.small, str(args.small))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
