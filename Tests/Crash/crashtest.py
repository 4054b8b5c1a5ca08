#!/usr/bin/env python3
"""Crash loops, SQLite's own method applied to the agent: SIGKILL at random moments, then look.

For `commit_interval = "0s"` and for the default (1 s), the agent samples the simulated device
at 20 Hz and is killed
- offline (no server reachable) at random moments after it starts, OFFLINE times;
- while flushing a backlog to a real Prosody (through a throttled proxy, so the flush lasts a
  while), ONLINE times, with alice subscribed to its node recording every item.
After every kill: `PRAGMA integrity_check` says ok, the stored sequence numbers run without a
gap and end at the file's last sequence, and nothing stored before is missing. At the end alice
has every number from her first item to the last one stored (duplicates allowed, gaps not) and
no item id ever carried two different sets of readings.

With the default commit interval a kill loses what was sampled since the last commit: never
published, so never duplicated, and its numbers are used again by the next run. How much is
estimated from the time between the last stored reading and the kill (an upper bound: the agent
may have started sampling later than its last reading suggests).

    python3 Tests/Crash/crashtest.py --binary .build/debug/kinglet --offline 300 --online 50
"""
import argparse
import logging
import os
import random
import shutil
import signal
import sqlite3
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "Integration"))

from conftest import PASSWORDS, start_prosody  # noqa: E402
from harness.agent import REPO, Agent, base_config, run_cli  # noqa: E402
from harness.items import check_no_id_reused  # noqa: E402
from harness.rig import Rig, parse_stats  # noqa: E402
from harness.wait import free_port, wait_until  # noqa: E402

INTERVAL_MS = 50


class Outbox:
    """What the file says after a kill, read with Python's own SQLite."""

    def __init__(self, path):
        self.path = path
        self.previous_last = 0
        self.lost_readings = []  # upper bound per kill, in readings

    def check(self, killed_at_ms, started_at_ms):
        if not os.path.exists(self.path):
            return "no file yet"
        with sqlite3.connect(self.path) as db:
            integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
            assert integrity == "ok", f"integrity_check: {integrity}"
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
            rows = [r[0] for r in db.execute("SELECT sequence FROM reading ORDER BY sequence")]
            newest = db.execute("SELECT max(time) FROM reading").fetchone()[0]
            batches = db.execute("SELECT count(DISTINCT batch) FROM reading").fetchone()[0]
        last, acknowledged = meta["last_sequence"], meta["acknowledged_through"]
        pending = [n for n in rows if n > acknowledged]
        assert pending == list(range(acknowledged + 1, last + 1)), \
            f"stored readings after #{acknowledged} are not #{acknowledged + 1}-#{last}: {describe_gaps(pending)}"
        assert last >= self.previous_last, f"the file went back from #{self.previous_last} to #{last}"
        self.previous_last = last
        if newest is not None and rows:
            per_tick = len(rows) / max(batches, 1)
            since = killed_at_ms - max(newest, started_at_ms)
            self.lost_readings.append(max(0.0, since / INTERVAL_MS) * per_tick)
        return last


def describe_gaps(numbers):
    if not numbers:
        return "none"
    gaps = [(a, b) for a, b in zip(numbers, numbers[1:]) if b != a + 1]
    return f"#{numbers[0]}-#{numbers[-1]}, {len(numbers)} rows, gaps after {[a for a, _ in gaps[:5]]}"


def kill(agent):
    killed = time.time() * 1000
    agent.process.send_signal(signal.SIGKILL)
    agent.process.wait()
    agent._reader.join(timeout=5)
    return killed


def offline_loop(args, rng, workdir, commit, kills):
    """Kills at random moments of an agent that cannot reach any server."""
    os.makedirs(workdir)
    config = base_config(FakeServer(), workdir, port=free_port())
    config["device"]["interval"] = f"{INTERVAL_MS}ms"
    if commit:
        config["store"]["commit_interval"] = commit
    config["log"]["level"] = "warning"
    outbox = Outbox(config["store"]["path"])
    for _ in range(kills):
        agent = Agent(workdir, config, binary=args.binary).start()
        started = time.time() * 1000
        time.sleep(rng.uniform(0.02, 2.0))  # the random moment
        if agent.exited():
            raise SystemExit(f"the agent exited by itself:\n" + "\n".join(agent.log()[-20:]))
        outbox.check(kill(agent), started)
    return outbox


class FakeServer:
    """Enough of the Prosody fixture for base_config when no server is wanted."""
    domain = "kinglet.test"
    c2s_port = 1

    class pki:
        ca_file = "/etc/ssl/certs/ca-certificates.crt"

    def jid(self, user):
        return f"{user}@{self.domain}"


def online_loop(args, rng, workdir, commit, kills):
    """Kills while the agent flushes a backlog to Prosody; alice records every item."""
    os.makedirs(workdir)
    server = start_prosody(workdir)
    store = {"commit_interval": commit} if commit else {}
    rig = Rig(server, workdir, lambda sections: Agent(workdir, sections, binary=args.binary), PASSWORDS["alice"],
              store=store, interval=f"{INTERVAL_MS}ms")
    rig.config["log"]["level"] = "info"
    try:
        rig.start()
        outbox = Outbox(rig.config["store"]["path"])
        during, attempts = 0, 0
        while during < kills:
            attempts += 1
            assert attempts <= 3 * kills, f"only {during} of {attempts} kills landed in a flush"
            rig.proxy.close()
            rig.proxy.cut()
            time.sleep(rng.uniform(2.0, 4.0))  # offline: the backlog grows
            rig.proxy.throttle(30_000)  # bytes/s from the agent: the flush takes a second or two
            mark = rig.agent.mark()
            rig.proxy.open()
            rig.agent.wait_for_log(r"publishing the backlog", after=mark, timeout=30)
            time.sleep(rng.uniform(0.0, 1.5))  # the random moment
            flushing = not any("backlog published" in line for line in rig.agent.log()[mark:])
            killed = kill(rig.agent)
            rig.proxy.close()
            during += flushing
            outbox.check(killed, 0)
            rig.proxy.throttle(None)
            rig.agent = Agent(workdir, rig.config, binary=args.binary).start()
        rig.proxy.open()
        mark = rig.agent.mark()
        rig.agent.wait_online(after=mark, timeout=60)
        last = parse_stats(run_cli("buffer", "stats", "--config", rig.agent.config_path).stdout)["last"]
        rig.recorder.wait_for_sequence(last, timeout=120)
        arrivals = rig.recorder.snapshot()
        rig.recorder.dump(os.path.join(workdir, "items.txt"))
        first = rig.recorder.unique()[0].first
        missing = sorted(set(range(first, last + 1)) - rig.recorder.covered())
        assert not missing, f"alice never got #{missing[:10]}... ({len(missing)} numbers)"
        repeated = check_no_id_reused(arrivals)
        assert rig.agent.stop() == 0
        return outbox, during, attempts, first, last, repeated
    finally:
        rig.agent.kill()
        rig.stop()
        server.stop()


def lost_text(outbox):
    lost = outbox.lost_readings
    if not lost:
        return "nothing sampled"
    return f"at most {sum(lost):.0f} readings lost in all (mean {sum(lost) / len(lost):.1f}, max {max(lost):.0f} per kill)"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(REPO, ".build", "debug", "kinglet"))
    parser.add_argument("--offline", type=int, default=300, help="kills of an offline agent, per setting")
    parser.add_argument("--online", type=int, default=50, help="kills during a flush, per setting")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--workdir", default=os.path.join(REPO, "crash-run"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    seed = args.seed if args.seed is not None else random.randrange(1 << 32)
    rng = random.Random(seed)
    shutil.rmtree(args.workdir, ignore_errors=True)
    print(f"crash.seed                {seed} (--seed {seed} repeats these moments)")
    began = time.monotonic()
    for label, commit in (("0s", "0s"), ("default", None)):
        t = time.monotonic()
        outbox = offline_loop(args, rng, os.path.join(args.workdir, f"offline-{label}"), commit, args.offline)
        print(f"crash.offline.{label:<10} {args.offline} kills: integrity ok and #1-#{outbox.previous_last} stored without "
              f"a gap after every one; {lost_text(outbox)}; {time.monotonic() - t:.0f} s")
        t = time.monotonic()
        outbox, during, attempts, first, last, repeated = online_loop(
            args, rng, os.path.join(args.workdir, f"online-{label}"), commit, args.online)
        print(f"crash.online.{label:<11} {attempts} kills, {during} during a flush: integrity ok and no gap after every "
              f"one; alice has every number #{first}-#{last}, {repeated} items twice (same readings); {lost_text(outbox)}; "
              f"{time.monotonic() - t:.0f} s")
    print(f"crash.result              clean in {time.monotonic() - began:.0f} s")


if __name__ == "__main__":
    main()
