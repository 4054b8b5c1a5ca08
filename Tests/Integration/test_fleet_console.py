"""Issue 10, the fleet console: `kinglet fleet list|read|set|export` logged in as an operator,
against ten agents on each server. Devices are found by presence and caps (roster contacts
after enrollment, and the fleet room); reads and sets run in parallel with a per-device time
limit; devices that time out or are offline are listed, never dropped; export writes every
reading once across a server restart and a device SIGKILL; `watch` shows what the devices
publish and which go offline; `export --format csv` writes the columns README documents."""
import csv
import io
import json
import os
import re
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time

import pytest

from conftest import PASSWORDS, start_prosody, start_server
from harness.agent import BINARY, render_config
from harness.fleet import Fleet, register_devices
from harness.tcp_proxy import TcpProxy
from harness.wait import wait_until

COUNT = 10


@pytest.fixture(scope="module", params=["prosody", "ejabberd"])
def setup(request):
    """The server, ten devices that list alice and sit in the room, and alice's consent to
    their enrollment (slixmpp accepts and asks back). The devices keep an hour of history, so
    the tests can compare what the console printed with what each device stored."""
    workdir = tempfile.mkdtemp(prefix=f"kinglet-console-{request.param}-")
    server = start_server(request.param, workdir)
    register_devices(server, COUNT)
    room = f"fleet@conference.{server.domain}"
    fleet = Fleet(server, COUNT, operators=[server.jid("alice")], fleet={"room": room}, workdir=workdir,
                  extra={"publish": {"max_items": 200}, "store": {"history_max_age": "1h"}})
    fleet.start()
    fleet.accepted_by("alice", PASSWORDS["alice"])
    yield server, fleet, workdir, room
    fleet.stop()
    server.stop()


def console_config(server, workdir, room, xmpp=None, **fleet):
    """alice's console; `xmpp` adds to or overrides its [xmpp] table."""
    path = os.path.join(workdir, "console.toml")
    table = {"room": room, "timeout": "3s", "cache": os.path.join(workdir, "console.cache")}
    table.update(fleet)
    account = {"jid": server.jid("alice") + "/console", "password": PASSWORDS["alice"], "host": "127.0.0.1",
               "port": server.c2s_port, "ca_file": server.pki.ca_file}
    account.update(xmpp or {})
    with open(path, "w") as f:
        f.write(render_config({"xmpp": account, "fleet": table}))
    return path


def fleet_cli(config, *args, timeout=60):
    return subprocess.run([BINARY, "fleet", *args, "--config", config], capture_output=True, text=True, timeout=timeout)


def by_jid(items):
    return {item["jid"].split("/")[0]: item for item in items}


def test_list_read_set(setup):
    server, fleet, workdir, room = setup
    config = console_config(server, workdir, room)
    started = time.monotonic()
    listed = fleet_cli(config, "list", "--json")
    elapsed = time.monotonic() - started
    assert listed.returncode == 0, listed.stderr
    devices = by_jid(json.loads(listed.stdout))
    assert set(devices) == set(fleet.jids()), listed.stdout
    assert elapsed < 10, f"list took {elapsed:.1f}s"
    for i, jid in enumerate(fleet.jids()):
        d = devices[jid]
        assert d["online"] and d["name"] == f"sensor-{i}" and d["status"].endswith("3 sensors")
        assert d["model"] == "Kinglet simulator" and d["version"]

    read = fleet_cli(config, "read", "--all", "--field", "temperature", "--json")
    assert read.returncode == 0, read.stdout + read.stderr
    results = by_jid(json.loads(read.stdout))
    assert set(results) == set(fleet.jids())
    for jid, r in results.items():
        assert r["result"] == "ok" and [f["name"] for f in r["fields"]] == ["temperature"], r

    target = devices[server.jid("sensor-3")]["jid"]
    changed = fleet_cli(config, "set", target, "relay=on")
    assert changed.returncode == 0, changed.stdout + changed.stderr
    after = json.loads(fleet_cli(config, "read", target, "--field", "relay", "--json").stdout)
    assert after[0]["fields"][0]["value"] is True
    refused = fleet_cli(config, "set", target, "dimmer=150", "--json")
    assert refused.returncode == 1
    assert json.loads(refused.stdout)[0]["error"].startswith("dimmer: "), refused.stdout

    bad = fleet_cli(config, "read", "not a jid")
    assert bad.returncode == 64 and "not a device's JID" in bad.stderr


def test_stopped_devices_are_listed_not_dropped(setup):
    server, fleet, workdir, room = setup
    config = console_config(server, workdir, room)
    assert fleet_cli(config, "list").returncode == 0  # the cache knows every device
    frozen, stopped = fleet[8], fleet[9]
    stopped.stop()
    frozen.signal(signal.SIGSTOP)
    try:
        listed = by_jid(json.loads(fleet_cli(config, "list", "--json").stdout))
        assert set(listed) == set(fleet.jids())
        assert not listed[server.jid("sensor-9")]["online"]
        read = fleet_cli(config, "read", "--all", "--json")
        assert read.returncode == 1
        results = by_jid(json.loads(read.stdout))
        assert set(results) == set(fleet.jids())
        assert results[server.jid("sensor-8")]["result"] == "timed out"
        assert results[server.jid("sensor-9")]["result"] == "unreachable"
        assert all(results[jid]["result"] == "ok" for jid in fleet.jids()[:8])
    finally:
        frozen.signal(signal.SIGCONT)
        stopped.start()
        stopped.wait_online()


def test_export_every_reading_once(setup):
    server, fleet, workdir, room = setup
    config = console_config(server, workdir, room)
    out = open(os.path.join(workdir, "export.jsonl"), "w+")
    export = subprocess.Popen([BINARY, "fleet", "export", "--config", config], stdout=out,
                              stderr=open(os.path.join(workdir, "export.log"), "w"))
    try:
        def lines():
            out.flush()
            with open(out.name) as f:
                return [json.loads(line) for line in f if line.endswith("\n")]

        wait_until(lambda: {r["device"] for r in lines()} >= set(fleet.jids()), timeout=30, what="readings from every device")
        victim = fleet[4]
        online_marks = fleet.marks()
        victim.kill()
        server.stop()
        victim.start()
        server.start()
        for agent, mark in zip(fleet, online_marks):
            agent.wait_online(timeout=60, after=mark)
        marks = [len(lines())]
        # Every device publishes again after the restart and reaches the console.
        def caught_up():
            seen = {}
            for r in lines():
                seen[r["device"]] = max(seen.get(r["device"], 0), r["sequence"] or 0)
            return all(seen.get(jid, 0) >= first + 12 for jid, first in firsts.items())
        firsts = {}
        for r in lines()[:marks[0]]:
            firsts[r["device"]] = max(firsts.get(r["device"], 0), r["sequence"] or 0)
        wait_until(caught_up, timeout=60, interval=0.5, what="readings after the restart from every device")
    finally:
        export.send_signal(signal.SIGTERM)
        export.wait(timeout=20)
    records = lines()
    # Every line names a device (ejabberd's last item for a returning subscriber comes from its
    # pubsub service, which says not whose it is: the fetch after login brings it instead).
    assert {r["device"] for r in records} == set(fleet.jids())
    # Readings taken during the outage reached the console too, marked as delayed.
    assert any(r["delivery"] == "delayed" for r in records)
    for jid in fleet.jids():
        mine = [r for r in records if r["device"] == jid]
        keys = [(r["sequence"], r["name"]) for r in mine]
        assert len(keys) == len(set(keys)), f"{jid}: duplicates"
        numbers = sorted({r["sequence"] for r in mine})
        assert numbers == list(range(numbers[0], numbers[-1] + 1)), f"{jid}: gaps in {numbers}"


class Live:
    """`kinglet fleet watch|export ...` running with stdout to a pipe: its lines as they come
    (stderr to a file in workdir, for whoever looks after a failure)."""

    def __init__(self, config, workdir, *args):
        name = args[0]
        self.process = subprocess.Popen([BINARY, "fleet", *args, "--config", config], stdout=subprocess.PIPE,
                                        stderr=open(os.path.join(workdir, f"{name}.log"), "a"), text=True)
        self._lines = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.process.stdout:
            with self._lock:
                self._lines.append(line)

    def lines(self):
        with self._lock:
            return list(self._lines)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        status = self.process.wait(timeout=20)
        self._reader.join(timeout=10)
        return status


def stored_batch(fleet, i, batch):
    """{name: (value, unit)} of the readings device i stored in `batch` (read while it runs: WAL)."""
    database = os.path.join(fleet.workdir, f"sensor-{i}.db")
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT name, value, unit FROM reading WHERE batch = ?", (batch,)).fetchall()
    return {name: (value, unit) for name, value, unit in rows}


def stored_readings(fleet, i):
    """{sequence: (batch, name, unit, value)} of everything device i stored."""
    database = os.path.join(fleet.workdir, f"sensor-{i}.db")
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT sequence, batch, name, unit, value FROM reading").fetchall()
    return {sequence: (batch, name, unit, value) for sequence, batch, name, unit, value in rows}


def last_sequence(fleet, i):
    database = os.path.join(fleet.workdir, f"sensor-{i}.db")
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        return db.execute("SELECT value FROM meta WHERE key = 'last_sequence'").fetchone()[0]


def same_unit(published, stored, value):
    """XEP-0323 gives only numeric fields a unit: an int reading (the dimmer's %) travels without."""
    return published == stored or (published == "" and not isinstance(value, float))


def same_value(published, stored):
    """A published value against the stored one (numbers are published with the sensor's decimals)."""
    if isinstance(stored, float) and isinstance(published, (int, float)):
        return abs(published - stored) < 0.01
    return published == stored or str(published) == str(stored)


def test_watch_shows_new_readings_and_devices_going_offline(setup):
    server, fleet, workdir, room = setup
    config = console_config(server, workdir, room)
    watch = Live(config, workdir, "watch")
    stopped = fleet[9]

    def events(kind):
        return [json.loads(line) for line in watch.lines() if line.endswith("\n") and f'"event":"{kind}"' in line]

    def device_states(jid):
        return [e["device"]["online"] for e in events("device") if e["device"]["jid"].split("/")[0] == jid]

    try:
        wait_until(lambda: all(True in device_states(jid) for jid in fleet.jids()), timeout=20,
                   what=lambda: f"every device online in watch's output:\n{''.join(watch.lines()[-20:])}")
        # A reading sensor-2 publishes from now on reaches watch, as the device stored it.
        jid, before = fleet.jids()[2], last_sequence(fleet, 2)
        fresh = wait_until(lambda: [e for e in events("readings") if e["device"].split("/")[0] == jid and e["batch"] > before],
                           timeout=15, what=f"a batch of {jid} after sequence {before}")
        event = fresh[0]
        stored = stored_batch(fleet, 2, event["batch"])
        assert {f["name"] for f in event["fields"]} == set(stored), (event, stored)
        for field in event["fields"]:
            value, unit = stored[field["name"]]
            assert same_unit(field["unit"], unit, value) and same_value(field["value"], value), (field, stored[field["name"]])

        # sensor-9 goes offline (SIGTERM: it says goodbye), then comes back.
        stopped_jid = fleet.jids()[9]
        seen = len(device_states(stopped_jid))
        stopped.stop()
        wait_until(lambda: False in device_states(stopped_jid)[seen:], timeout=15,
                   what=f"{stopped_jid} offline in watch's output")
        seen = len(device_states(stopped_jid))
        stopped.start()
        wait_until(lambda: True in device_states(stopped_jid)[seen:], timeout=30,
                   what=f"{stopped_jid} online again in watch's output")
    finally:
        if stopped.exited():
            stopped.start()
        stopped.wait_online()
        assert watch.stop() == 0


def test_export_csv_has_the_documented_columns_and_every_sequence_once(setup):
    server, fleet, workdir, room = setup
    config = console_config(server, workdir, room)
    wait_until(lambda: all(last_sequence(fleet, i) > 0 for i in range(COUNT)), timeout=15, what="every device's first reading")
    starts = [last_sequence(fleet, i) for i in range(COUNT)]
    export = Live(config, workdir, "export", "--format", "csv")

    def rows():
        text = "".join(line for line in export.lines() if line.endswith("\n"))
        return list(csv.reader(io.StringIO(text)))

    def newest():
        seen = {}
        for row in rows()[1:]:
            if row[1]:
                seen[row[0]] = max(seen.get(row[0], 0), int(row[1]))
        return seen

    try:
        # Every device's readings from before the export started (fetched from its node) and
        # five batches after.
        wait_until(lambda: all(newest().get(jid, 0) >= start + 5 * 3 for jid, start in zip(fleet.jids(), starts)),
                   timeout=45, interval=0.5, what=lambda: f"csv rows past the start: {newest()}")
    finally:
        assert export.stop() == 0
    table = rows()
    # README: device, sequence, batch, name, value, unit, timestamp, live or delayed.
    assert table[0] == ["device", "sequence", "batch", "name", "value", "unit", "timestamp", "delivery"]
    assert all(len(row) == 8 for row in table), [row for row in table if len(row) != 8][:3]
    for i, jid in enumerate(fleet.jids()):
        stored = stored_readings(fleet, i)
        mine = [row for row in table[1:] if row[0] == jid]
        numbers = [int(row[1]) for row in mine]
        assert len(numbers) == len(set(numbers)), f"{jid}: duplicate sequence numbers"
        assert sorted(numbers) == list(range(min(numbers), max(numbers) + 1)), f"{jid}: gaps"
        assert min(numbers) <= starts[i], f"{jid}: nothing from before the export started"
        for device, sequence, batch, name, value, unit, timestamp, delivery in mine:
            assert delivery in ("live", "delayed") and timestamp.endswith("Z") and value != ""
            in_batch, stored_name, stored_unit, stored_value = stored[int(sequence)]
            assert (int(batch), name) == (in_batch, stored_name), (sequence, name, stored[int(sequence)])
            assert same_unit(unit, stored_unit, stored_value), (sequence, name, unit, stored_unit)


def batches_since(fleet, i, sequence):
    """How many batches device i stored after `sequence`."""
    database = os.path.join(fleet.workdir, f"sensor-{i}.db")
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        return db.execute("SELECT COUNT(DISTINCT batch) FROM reading WHERE batch > ?", (sequence,)).fetchone()[0]


def test_export_warns_of_readings_no_node_holds_any_more():
    """The console is cut off (its server session not resumable) while two devices publish more
    batches than their nodes keep: after it logs in again, what the nodes no longer hold is
    reported on stderr and in the summary, exactly the numbers missing from the output."""
    workdir = tempfile.mkdtemp(prefix="kinglet-export-gap-")
    server = start_prosody(workdir, hibernation=1)
    register_devices(server, 2)
    fleet = Fleet(server, 2, operators=[server.jid("alice")], workdir=workdir,
                  extra={"publish": {"max_items": 2}, "store": {"history_max_age": "1h"}})
    proxy = TcpProxy(server.c2s_port)
    export = None
    try:
        fleet.start()
        fleet.accepted_by("alice", PASSWORDS["alice"])
        config = console_config(server, workdir, None, xmpp={"port": proxy.port, "reconnect_initial": "200ms",
                                                             "reconnect_max": "1s"})
        export = Live(config, workdir, "export")

        def records():
            return [json.loads(line) for line in export.lines() if line.endswith("\n")]

        wait_until(lambda: {r["device"] for r in records()} >= set(fleet.jids()), timeout=30, what="readings from both")
        proxy.close()
        proxy.cut()
        cut = [last_sequence(fleet, i) for i in range(2)]
        # Five batches each while the console is away: the nodes keep the last two.
        wait_until(lambda: all(batches_since(fleet, i, cut[i]) >= 5 for i in range(2)), timeout=30,
                   what="five batches from each device while the console is cut off")
        proxy.open()
        wait_until(lambda: all(any(r["device"] == jid and r["sequence"] > cut[i] + 12 for r in records())
                               for i, jid in enumerate(fleet.jids())), timeout=30, what="readings after the outage")
    finally:
        status = export.stop() if export else None
        fleet.stop()
        proxy.stop()
        server.stop()
    assert status == 0
    log = open(os.path.join(workdir, "export.log")).read()
    warned = {}
    for jid, first, last in re.findall(r"^warning: (\S+): readings? (\d+)(?:-(\d+))? (?:is|are) lost", log, re.M):
        warned.setdefault(jid, set()).update(range(int(first), int(last or first) + 1))
    for jid in fleet.jids():
        numbers = sorted({r["sequence"] for r in records() if r["device"] == jid})
        missing = set(range(numbers[0], numbers[-1] + 1)) - set(numbers)
        assert missing, f"{jid}: the outage left no gap: {numbers}"
        assert warned.get(jid) == missing, f"{jid}: warned of {sorted(warned.get(jid, []))}, missing {sorted(missing)}\n{log}"
    lost = sum(len(v) for v in warned.values())
    assert re.search(rf"^kinglet fleet export: \d+ readings from 2 devices; {lost} lost", log, re.M), log
