"""The fleet console (`kinglet fleet list|read|export`) as a process, for the tests and benchmarks
that watch a simulated fleet: its config, one-shot commands, and an export whose lines are kept
with the time each arrived."""
import json
import os
import signal
import sqlite3
import subprocess
import threading
import time

from .agent import BINARY, render_config


def console_config(workdir, server, user, password, port=None, name="console", **fleet):
    path = os.path.join(workdir, f"{name}.toml")
    sections = {"xmpp": {"jid": server.jid(user) + "/" + name, "password": password, "host": "127.0.0.1",
                         "port": port or server.c2s_port, "ca_file": server.pki.ca_file}}
    if fleet:
        sections["fleet"] = fleet
    with open(path, "w") as f:
        f.write(render_config(sections))
    os.chmod(path, 0o600)
    return path


def fleet_cli(config, *args, binary=None, timeout=120):
    """Runs `kinglet fleet ARGS --config CONFIG`; returns (CompletedProcess, seconds it took)."""
    start = time.monotonic()
    result = subprocess.run([binary or BINARY, "fleet", *args, "--config", config], capture_output=True, text=True,
                            timeout=timeout)
    return result, time.monotonic() - start


class Export:
    """`kinglet fleet export` running; `records()` are its JSON lines, each with `arrived`
    (time.time() when the line came)."""

    def __init__(self, config, workdir, binary=None):
        self.process = subprocess.Popen([binary or BINARY, "fleet", "export", "--config", config],
                                        stdout=subprocess.PIPE, stderr=open(os.path.join(workdir, "export.log"), "a"),
                                        text=True)
        self._records = []
        self._copy = open(os.path.join(workdir, "export.jsonl"), "a")  # for whoever looks after a failure
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.process.stdout:
            self._copy.write(line)
            self._copy.flush()
            record = json.loads(line)
            record["arrived"] = time.time()
            with self._lock:
                self._records.append(record)

    def records(self):
        with self._lock:
            return list(self._records)

    def stop(self, timeout=30):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=timeout)
        self._reader.join(timeout=10)
        return self.records()


def stored_progress(database):
    """(last sequence numbered, acknowledged through) of a device's outbox, read from its meta
    table (the agent must have closed it, or be between commits: WAL lets this read)."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    return int(meta.get("last_sequence", 0)), int(meta.get("acknowledged_through", 0))


def check_every_sequence_once(records, devices, from_start=True):
    """`devices`: {bare JID: database path}. Every reading a device's server acknowledged must be
    in the export exactly once (from its first reading, or with `from_start=False` from the
    first the export saw, for an export started after the devices), and nothing it never
    numbered. Returns a list of problems."""
    problems = []
    by_device = {}
    for r in records:
        by_device.setdefault(r["device"], []).append((r["sequence"], r["name"]))
    for jid, database in devices.items():
        last, acknowledged = stored_progress(database)
        keys = by_device.get(jid, [])
        if len(keys) != len(set(keys)):
            problems.append(f"{jid}: {len(keys) - len(set(keys))} duplicate readings")
        numbers = {sequence for sequence, _ in keys if sequence is not None}
        if not numbers:
            problems.append(f"{jid}: nothing exported")
            continue
        first = 1 if from_start else min(numbers)
        missing = set(range(first, acknowledged + 1)) - numbers
        if missing:
            problems.append(f"{jid}: {len(missing)} acknowledged readings missing, first {min(missing)}")
        beyond = {n for n in numbers if n > last}
        if beyond:
            problems.append(f"{jid}: sequence numbers the device never gave: {sorted(beyond)[:5]}")
    return problems
