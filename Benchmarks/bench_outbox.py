#!/usr/bin/env python3
"""The outbox in the running agent (the release binary against a loopback Prosody), run by
`make bench`:

- flush after reconnect: a backlog of 100,000 readings (three per batch, as the simulated
  device's ticks) written while offline by `kinglet-bench outbox-fill`; the agent starts while
  the server is down, then the server starts. The rate is the backlog over the time from
  "online" to the last acknowledgement (the agent's own "backlog published ... in Xs" line,
  checked against the wall clock here). Memory (RssAnon, VmRSS) is sampled while offline with
  the backlog open and throughout the flush. Once with items not persisted on the server
  (the agent's pace) and once (25,000 readings) with `persist_items=true`, where Prosody's
  file-based item store is the limit;
- the sampler's pace with 1,000,000 readings buffered: the same agent offline at 100 Hz, with
  an empty outbox and then with a million pending readings, readings appended per second;
- the insert rate the running agent sustains: a profile of 200 simulated sensors at 10 ms
  (20,000 readings/s asked for), readings that reached the outbox per second.

Each figure is printed as `name  value unit`, like kinglet-bench's."""
import argparse
import os
import re
import subprocess
import tempfile
import threading
import time

from figures import REPO, cpu_seconds, figure, status_kib  # noqa: E402  (also puts the test harness on the path)

from conftest import PASSWORDS, start_prosody  # noqa: E402
from harness.agent import Agent, base_config, run_cli  # noqa: E402
from harness.peers import Peer  # noqa: E402
from harness.wait import wait_until  # noqa: E402


class PingProbe:
    """Alice pings the agent back to back while it flushes: how long a request from a person
    waits behind the publishes (at most a window of them)."""

    def __init__(self, prosody, jid):
        self.peer = Peer(prosody, "alice", PASSWORDS["alice"]).connect()
        self.jid, self.rtts, self._stop = jid, [], False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        ping = self.peer.client.plugin["xep_0199"]
        while not self._stop:
            try:
                start = time.monotonic()
                self.peer.run(ping.send_ping(self.jid, timeout=10), timeout=15)
                self.rtts.append(time.monotonic() - start)
            except Exception:  # noqa: BLE001 - a lost ping is not a figure
                pass
            time.sleep(0.05)

    def stop(self):
        self._stop = True
        self._thread.join(timeout=20)
        self.peer.disconnect()
        return [r for r in self.rtts if r is not None]


class MemorySampler:
    """Peak RssAnon and VmRSS of a process, sampled every 20 ms until stopped."""

    def __init__(self, pid):
        self.pid, self.peak_anon, self.peak_rss, self._stop = pid, 0, 0, False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop:
            try:
                self.peak_anon = max(self.peak_anon, status_kib(self.pid, "RssAnon"))
                self.peak_rss = max(self.peak_rss, status_kib(self.pid, "VmRSS"))
            except OSError:
                return
            time.sleep(0.02)

    def stop(self):
        self._stop = True
        self._thread.join()


def stats(config_path):
    text = run_cli("buffer", "stats", "--config", config_path).stdout
    pending = int(re.search(r"^pending\s+(\d+)", text, re.M).group(1))
    last = int(re.search(r"^last sequence\s+#(\d+)", text, re.M).group(1))
    return pending, last


def fill(bench, path, readings):
    result = subprocess.run([bench, "outbox-fill", "--database", path, "--readings", str(readings), "--tick", "3"],
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise SystemExit("outbox-fill failed: " + result.stdout + result.stderr)


def agent_config(prosody, workdir, port, database, **device):
    config = base_config(prosody, workdir, port=port, reconnect_initial="100ms", reconnect_max="200ms")
    config["store"] = {"path": database, "max_readings": 2_000_000, "max_bytes": "1GiB"}
    config["device"].update(device)
    config["log"] = {"level": "info"}
    return config


def flush_after_reconnect(bench, workdir, prosody, readings, persist):
    """The agent starts while the server is down (no proxy in the data path), with the backlog
    open; then the server starts and the agent connects straight to it."""
    database = os.path.join(workdir, f"flush-{persist}.db")
    fill(bench, database, readings)
    prosody.stop()
    config = agent_config(prosody, workdir, prosody.c2s_port, database, interval="10s")
    config["publish"] = {"persist_items": persist}
    agent = Agent(workdir, config, name=f"flush-{persist}").start()
    label = "persisted" if persist else "not_persisted"
    try:
        agent.wait_for_log(r"publishing to node", timeout=30)
        time.sleep(2)  # settle with the backlog open, offline (the measurement window for the baseline)
        pid = agent.process.pid
        figure(f"outbox.flush.{label}.offline.rss_anon", round(status_kib(pid, "RssAnon") / 1024, 2), "MiB (backlog open, offline)")
        memory = MemorySampler(pid)
        cpu_before = cpu_seconds(pid)
        prosody.start()
        full_jid = agent.wait_online(timeout=30).split("online as ")[1].split()[0]
        online = time.monotonic()
        pings = PingProbe(prosody, full_jid) if not persist else None
        line = agent.wait_for_log(r"backlog published: readings #\d+–#(\d+) in ([\d.]+)s", timeout=900)
        wall = time.monotonic() - online
        cpu = cpu_seconds(pid) - cpu_before
        memory.stop()
        if pings:
            rtts = sorted(pings.stop())
            if rtts:
                figure("outbox.flush.ping_rtt.p50", round(rtts[len(rtts) // 2] * 1000, 1),
                       f"ms (an operator's XEP-0199 pings answered during the flush, {len(rtts)} of them)")
                figure("outbox.flush.ping_rtt.max", round(rtts[-1] * 1000, 1), "ms")
        published = int(re.search(r"–#(\d+)", line).group(1))
        seconds = float(re.search(r" in ([\d.]+)s", line).group(1))
        what = ("persist_items=true, max_items=1: Prosody stores every item (internal storage)" if persist
                else "persist_items=false")
        figure(f"outbox.flush.{label}.rate", round(published / seconds),
               f"readings/s, {published} readings in {published // 3} items, online to last ack "
               f"({round(published / wall)}/s by the wall clock; {what}; target >= 5,000)")
        figure(f"outbox.flush.{label}.agent_cpu", round(cpu / published * 1000 * 1000, 1), "ms of agent CPU per 1,000 readings")
        figure(f"outbox.flush.{label}.peak.rss_anon", round(memory.peak_anon / 1024, 2), "MiB")
        figure(f"outbox.flush.{label}.peak.vm_rss", round(memory.peak_rss / 1024, 2), "MiB")
        wait_until(lambda: stats(agent.config_path)[0] < 100, timeout=30, what="the outbox to empty")
    finally:
        agent.stop()


def wide_profile(workdir, sensors):
    """`sensors` simulated sensors every 10 ms, noisy enough that every sample is a new value."""
    path = os.path.join(workdir, f"profile-{sensors}.toml")
    with open(path, "w") as f:
        f.write(f'[device]\nname = "wide{sensors}"\ninterval = "10ms"\n')
        for i in range(sensors):
            f.write(f'\n[[sensor]]\nname = "s{i}"\nsource = "simulated"\nmean = 20.0\nnoise = 5.0\ndecimals = 3\n')
    return path


def offline_agent(workdir, prosody, database, name, sensors):
    config = agent_config(prosody, workdir, 9, database)
    config["device"] = {"profile": wide_profile(workdir, sensors)}
    return Agent(workdir, config, name=name).start()


def appended_per_second(agent, seconds):
    agent.wait_for_log(r"publishing to node", timeout=120)
    time.sleep(2)  # past start-up
    _, first = stats(agent.config_path)
    start = time.monotonic()
    time.sleep(seconds)  # the measurement window
    _, last = stats(agent.config_path)
    return (last - first) / (time.monotonic() - start)


def pace(workdir, prosody, database, name, seconds):
    """Readings appended per second by the agent offline: 20 sensors every 10 ms."""
    agent = offline_agent(workdir, prosody, database, name, 20)
    try:
        rate = appended_per_second(agent, seconds)
        return rate, status_kib(agent.process.pid, "RssAnon")
    finally:
        agent.stop()


def million_buffered(bench, workdir, prosody, seconds):
    empty = os.path.join(workdir, "empty.db")
    rate_empty, _ = pace(workdir, prosody, empty, "pace-empty", seconds)
    full = os.path.join(workdir, "million.db")
    fill(bench, full, 1_000_000)
    rate_full, anon = pace(workdir, prosody, full, "pace-million", seconds)
    figure("outbox.pace.empty_outbox", round(rate_empty, 1), "readings/s appended (20 sensors every 10 ms: 2,000 asked for)")
    figure("outbox.pace.million_buffered", round(rate_full, 1), "readings/s appended with 1,000,000 pending")
    figure("outbox.pace.ratio", round(rate_full / rate_empty, 3), "(1.0 = the sampler's pace unchanged)")
    figure("outbox.pace.million_buffered.rss_anon", round(anon / 1024, 2), "MiB")


def insert_rate(workdir, prosody, seconds):
    agent = offline_agent(workdir, prosody, os.path.join(workdir, "wide.db"), "wide", 200)
    try:
        rate = appended_per_second(agent, seconds)
        figure("outbox.agent.insert_rate", round(rate), "readings/s reaching the outbox (200 sensors every 10 ms: 20,000 asked for)")
    finally:
        agent.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(REPO, ".build", "kinglet-stripped"),
                        help="the stripped static release binary (make release)")
    parser.add_argument("--bench", default=os.path.join(REPO, ".build", "release", "kinglet-bench"))
    parser.add_argument("--readings", type=int, default=100_000)
    parser.add_argument("--window", type=float, default=10.0, help="seconds each pace measurement runs")
    args = parser.parse_args()
    os.environ["KINGLET_BIN"] = os.path.abspath(args.binary)
    import harness.agent
    harness.agent.BINARY = os.environ["KINGLET_BIN"]
    with tempfile.TemporaryDirectory(prefix="kinglet-bench-outbox-") as workdir:
        prosody = start_prosody(workdir, log_level="warn")
        try:
            flush_after_reconnect(args.bench, workdir, prosody, args.readings, persist=False)
            flush_after_reconnect(args.bench, workdir, prosody, args.readings // 4, persist=True)
            million_buffered(args.bench, workdir, prosody, args.window)
            insert_rate(workdir, prosody, args.window)
        finally:
            prosody.stop()


if __name__ == "__main__":
    main()
