#!/usr/bin/env python3
"""The soak: the release agent for HOURS at 20 Hz against a real Prosody that is restarted every
5 minutes, behind a TCP proxy that cuts the connection every 2 minutes, while an operator reads
and sets a control every second and a viewer reads history every 10 seconds; alice records every
published item. At the end: every stored reading reached alice (0 lost), no item id carried two
different readings, and the agent's private memory (RssAnon), descriptors and threads, sampled
every 10 s, show no growth beyond noise.

    python3 Tests/Soak/soak.py --binary .build/kinglet-stripped --hours 1

Exit status 1 when a reading was lost or something grew. The samples are written to
soak-run/samples.csv (seconds since the start), the faults to soak-run/events.csv, the agent's
log to soak-run/agent.log."""
import argparse
import csv
import logging
import os
import re
import shutil
import statistics
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "Integration"))

from conftest import PASSWORDS, start_prosody  # noqa: E402
from harness import iot  # noqa: E402
from harness.agent import REPO, Agent, base_config, run_cli  # noqa: E402
from harness.items import PLUGINS, ItemRecorder, check_no_id_reused  # noqa: E402
from harness.peers import Peer  # noqa: E402
from harness.rig import parse_stats  # noqa: E402
from harness.tcp_proxy import TcpProxy  # noqa: E402
from harness.wait import wait_until  # noqa: E402

SENSORDATA = "urn:xmpp:iot:sensordata"


def proc_status(pid):
    """RssAnon (KiB), VmRSS (KiB), threads and open descriptors of a process."""
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.split()[0] if value.split() else ""
    return {"rss_anon": int(fields["RssAnon"]), "vm_rss": int(fields["VmRSS"]), "threads": int(fields["Threads"]),
            "fds": len(os.listdir(f"/proc/{pid}/fd"))}


class Counter:
    def __init__(self):
        self.lock = threading.Lock()
        self.ok = 0
        self.failed = 0
        self.latencies = []

    def record(self, ok, latency=None):
        with self.lock:
            if ok:
                self.ok += 1
                self.latencies.append(latency)
            else:
                self.failed += 1

    def text(self):
        with self.lock:
            lat = sorted(self.latencies)
        if not lat:
            return f"{self.ok} answered, {self.failed} not"
        p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000  # noqa: E731
        return f"{self.ok} answered, {self.failed} not (p50 {p(0.5):.1f} ms, p99 {p(0.99):.1f} ms, max {lat[-1] * 1000:.0f} ms)"


class Soak:
    def __init__(self, args):
        self.args = args
        self.workdir = os.path.abspath(args.workdir)
        shutil.rmtree(self.workdir, ignore_errors=True)
        os.makedirs(self.workdir)
        self.server = start_prosody(self.workdir)
        self.proxy = TcpProxy(self.server.c2s_port)
        config = base_config(self.server, self.workdir, port=self.proxy.port, reconnect_initial="200ms", reconnect_max="1s")
        config["device"]["interval"] = "50ms"
        config["store"]["history_max_age"] = "10m"
        config["log"]["level"] = "info"
        self.agent = Agent(self.workdir, config, binary=args.binary)
        os.chmod(self.agent.config_path, 0o600)  # it holds the password inline
        self.device = self.server.jid("sensor") + "/kinglet"
        self.recorder = ItemRecorder()
        self.peers = {}
        self.stop_event = threading.Event()
        self.paused = threading.Event()  # set while the server is down on purpose
        self.reads, self.sets, self.history = Counter(), Counter(), Counter()
        self.samples = []
        self.events = []

    # --- peers

    def connect(self, name, user, resource):
        peer = Peer(self.server, user, PASSWORDS[user], plugins=PLUGINS + iot.PLUGINS, resource=resource).connect()
        self.peers[name] = peer
        return peer

    def connect_peers(self, first=False):
        alice = self.connect("recorder", "alice", "recorder")
        self.recorder.attach(alice)
        if first:
            alice.subscribe_to(self.server.jid("sensor"))
            alice.wait_presence(lambda p: p["from"].bare == self.server.jid("sensor") and p["type"] in ("available", ""))
            pubsub = alice.client.plugin["xep_0060"]
            wait_until(lambda: self._try_subscribe(alice, pubsub), timeout=30, interval=0.5, what="the agent's node")
        self.connect("operator", "alice", "operator")
        self.connect("viewer", "bob", "viewer")

    def _try_subscribe(self, peer, pubsub):
        try:
            peer.run(pubsub.subscribe(self.server.jid("sensor"), SENSORDATA, timeout=10))
            return True
        except Exception:
            return False

    def last_item(self):
        """The id of the item the server holds on the agent's node (the last one it took)."""
        alice = self.peers["recorder"]
        result = alice.run(alice.client.plugin["xep_0060"].get_items(self.server.jid("sensor"), SENSORDATA, max_items=1))
        ids = [item["id"] for item in result["pubsub"]["items"]]
        return ids[-1] if ids else None

    def disconnect_peers(self):
        for peer in self.peers.values():
            peer.disconnect()
        self.peers = {}

    # --- the loads

    def operator_loop(self):
        level = 0
        while not self.stop_event.wait(1.0):
            if self.paused.is_set():
                continue
            peer = self.peers.get("operator")
            if peer is None:
                continue
            started = time.monotonic()
            try:
                readout = iot.read(peer, self.device, fields=["temperature"], timeout=5)
                self.reads.record(readout.results[-1] == "done", time.monotonic() - started)
            except Exception:
                self.reads.record(False)
            level = (level + 7) % 101
            started = time.monotonic()
            try:
                answer = iot.set_request(peer, self.device, [("dimmer", "int", str(level))], timeout=5)
                self.sets.record(answer.get("error_msg") is None, time.monotonic() - started)
            except Exception:
                self.sets.record(False)

    def viewer_loop(self):
        while not self.stop_event.wait(10.0):
            if self.paused.is_set():
                continue
            peer = self.peers.get("viewer")
            if peer is None:
                continue
            since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60))
            started = time.monotonic()
            try:
                readout = iot.read(peer, self.device, flags={"historical": "true", "from": since},
                                   fields=["temperature"], timeout=10)
                self.history.record(readout.results[-1] == "done", time.monotonic() - started)
            except Exception:
                self.history.record(False)

    def sample_loop(self):
        while not self.stop_event.is_set():
            try:
                sample = proc_status(self.agent.process.pid)
                sample["t"] = self.elapsed()
                self.samples.append(sample)
            except (OSError, KeyError):
                pass
            self.stop_event.wait(10.0)

    # --- the faults

    def restart_server(self):
        """The agent loses the server first; alice leaves only once she has every reading the
        agent counts as acknowledged, so that nothing is published while no subscriber listens
        (the server would take it and tell nobody: PEP keeps only the last item)."""
        self.paused.set()
        mark = self.agent.mark()
        self.proxy.close()
        self.proxy.cut()
        self.agent.wait_for_log(r"INFO +session: offline", after=mark, timeout=30)
        # What the server took last (the node keeps one item) must have reached alice.
        last = self.last_item()
        wait_until(lambda: last is None or any(item.id == last for item in self.recorder.snapshot()), timeout=30,
                   what=f"alice to receive item {last}, the last one the server stored")
        self.disconnect_peers()
        self.server.stop()
        time.sleep(2)  # down for a moment (not a wait for a condition)
        self.server.start()
        self.connect_peers()
        self.proxy.open()
        self.paused.clear()
        self.events.append((self.elapsed(), "server restarted"))

    def cut(self):
        self.events.append((self.elapsed(), f"cut {self.proxy.cut()} connection(s)"))

    def elapsed(self):
        return time.monotonic() - self.began

    # --- the run

    def run(self):
        self.agent.start()
        self.agent.wait_online(timeout=60)
        self.connect_peers(first=True)
        self.recorder.wait_for_items(3, timeout=60)
        self.began = began = time.monotonic()
        threads = [threading.Thread(target=f, daemon=True) for f in (self.operator_loop, self.viewer_loop, self.sample_loop)]
        for t in threads:
            t.start()
        end = began + self.args.hours * 3600
        next_restart, next_cut = began + self.args.restart_every, began + self.args.cut_every
        while time.monotonic() < end:
            now = time.monotonic()
            if now >= next_restart:
                self.restart_server()
                next_restart += self.args.restart_every
            elif now >= next_cut:
                self.cut()
                next_cut += self.args.cut_every
            time.sleep(0.5)
            if self.agent.exited():
                raise SystemExit(f"the agent exited with status {self.agent.process.returncode}")
        self.stop_event.set()
        for t in threads:
            t.join(timeout=30)
        return self.finish(time.monotonic() - began)

    def finish(self, elapsed):
        pid = self.agent.process.pid
        last = parse_stats(run_cli("buffer", "stats", "--config", self.agent.config_path).stdout)["last"]
        self.recorder.wait_for_sequence(last, timeout=120)
        arrivals = self.recorder.snapshot()
        received = self.recorder.covered()
        first = min(item.first for item in arrivals)
        lost = sorted(set(range(first, last + 1)) - received)
        repeated = check_no_id_reused(arrivals)
        self.recorder.dump(os.path.join(self.workdir, "items.txt"))
        status = self.agent.stop(timeout=30)
        self.disconnect_peers()
        self.server.stop()
        self.proxy.stop()
        with open(os.path.join(self.workdir, "samples.csv"), "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=["t", "rss_anon", "vm_rss", "threads", "fds"])
            writer.writeheader()
            writer.writerows(self.samples)
        with open(os.path.join(self.workdir, "events.csv"), "w") as f:
            f.writelines(f"{t:.1f},{what}\n" for t, what in self.events)
        return self.report(elapsed, first, last, lost, repeated, len(arrivals), status, pid)

    def report(self, elapsed, first, last, lost, repeated, arrivals, status, pid):
        restarts = sum(1 for _, e in self.events if e == "server restarted")
        cuts = sum(1 for _, e in self.events if e.startswith("cut"))
        print(f"soak.duration            {elapsed / 3600:.2f} h (agent pid {pid}, never restarted; exit status {status})")
        print(f"soak.faults              {restarts} server restarts, {cuts} TCP cuts")
        print(f"soak.readings            #{first}-#{last}: {last - first + 1} published readings, {len(lost)} lost; "
              f"{arrivals} items arrived, {repeated} of them again with the same readings")
        print(f"soak.operator.read       {self.reads.text()}")
        print(f"soak.operator.set        {self.sets.text()}")
        print(f"soak.viewer.history      {self.history.text()}")
        grew = trend(self.samples)
        failed = bool(lost) or grew or status != 0
        print("soak.result              " + ("FAILED" if failed else "clean"))
        return 1 if failed else 0


def slope_per_hour(points):
    """Least-squares slope of (seconds, value) points, per hour."""
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    return 0.0 if var == 0 else sum((t - mean_t) * (v - mean_v) for t, v in points) / var * 3600


def trend(samples):
    """Prints the RssAnon, descriptor and thread trends; True when one grew beyond noise.
    The first two minutes (start-up, the first flush) are left out of the comparison."""
    steady = [s for s in samples if s["t"] >= 120]
    if len(steady) < 6:
        print("soak.trend               too short to tell")
        return False
    quarter = max(1, len(steady) // 4)
    head, tail = steady[:quarter], steady[-quarter:]
    grew = False
    for key, unit, allowance in (("rss_anon", "KiB", 1024), ("fds", "", 2), ("threads", "", 2)):
        values = [s[key] for s in steady]
        first_q, last_q = statistics.mean(s[key] for s in head), statistics.mean(s[key] for s in tail)
        slope = slope_per_hour([(s["t"], s[key]) for s in steady])
        bad = max(s[key] for s in tail) > max(s[key] for s in head) + allowance
        grew |= bad
        print(f"soak.{key:<19} min {min(values)} max {max(values)} {unit}; first quarter {first_q:.0f}, last quarter "
              f"{last_q:.0f}; slope {slope:+.1f} {unit}/h{'  GREW' if bad else ''}")
    step = max(zip(steady, steady[1:]), key=lambda pair: pair[1]["rss_anon"] - pair[0]["rss_anon"])
    print(f"soak.rss_anon.step       largest +{step[1]['rss_anon'] - step[0]['rss_anon']} KiB at {step[1]['t'] / 60:.1f} min "
          f"(threads {step[0]['threads']} -> {step[1]['threads']})")
    series = " ".join(str(s["rss_anon"]) for s in steady[:: max(1, len(steady) // 24)])
    print(f"soak.rss_anon.series     {series} (KiB, evenly spaced)")
    return grew


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(REPO, ".build", "kinglet-stripped"))
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--restart-every", type=float, default=300)
    parser.add_argument("--cut-every", type=float, default=120)
    parser.add_argument("--workdir", default=os.path.join(REPO, "soak-run"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # slixmpp warns about every XEP-0323 field type it does not know
    # A request sent while the agent reconnects is answered by Prosody with service-unavailable
    # (RFC 6120 §10.5.3.2); slixmpp's plugins leave those answers unread and asyncio says so.
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    soak = Soak(args)
    try:
        sys.exit(soak.run())
    finally:
        soak.agent.kill()
        soak.server.stop()


if __name__ == "__main__":
    main()
