"""Issue 10, the fleet console: `kinglet fleet list|read|set|export` logged in as an operator,
against ten agents on each server. Devices are found by presence and caps (roster contacts
after enrollment, and the fleet room); reads and sets run in parallel with a per-device time
limit; devices that time out or are offline are listed, never dropped; export writes every
reading once across a server restart and a device SIGKILL."""
import json
import os
import signal
import subprocess
import tempfile
import time

import pytest

from conftest import PASSWORDS, start_server
from harness.agent import BINARY, render_config
from harness.fleet import Fleet, register_devices
from harness.peers import Peer
from harness.wait import wait_until

COUNT = 10


@pytest.fixture(scope="module", params=["prosody", "ejabberd"])
def setup(request):
    """The server, ten devices that list alice and sit in the room, and alice's consent to
    their enrollment (slixmpp accepts and asks back)."""
    workdir = tempfile.mkdtemp(prefix=f"kinglet-console-{request.param}-")
    server = start_server(request.param, workdir)
    register_devices(server, COUNT)
    room = f"fleet@conference.{server.domain}"
    fleet = Fleet(server, COUNT, operators=[server.jid("alice")], fleet={"room": room}, workdir=workdir,
                  extra={"publish": {"max_items": 200}})
    fleet.start()
    alice = Peer(server, "alice", PASSWORDS["alice"]).connect()
    roster = alice.client.client_roster
    wait_until(lambda: all(roster[jid]["subscription"] == "both" for jid in fleet.jids()), timeout=30,
               what="alice subscribed both ways with every device")
    alice.disconnect()
    yield server, fleet, workdir, room
    fleet.stop()
    server.stop()


def console_config(server, workdir, room, **fleet):
    path = os.path.join(workdir, "console.toml")
    table = {"room": room, "timeout": "3s", "cache": os.path.join(workdir, "console.cache")}
    table.update(fleet)
    with open(path, "w") as f:
        f.write(render_config({
            "xmpp": {"jid": server.jid("alice") + "/console", "password": PASSWORDS["alice"], "host": "127.0.0.1",
                     "port": server.c2s_port, "ca_file": server.pki.ca_file},
            "fleet": table,
        }))
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
    # Readings taken during the outage reached the console too, marked as delayed.
    assert any(r["delivery"] == "delayed" for r in records)
    for jid in fleet.jids():
        mine = [r for r in records if r["device"] == jid]
        keys = [(r["sequence"], r["name"]) for r in mine]
        assert len(keys) == len(set(keys)), f"{jid}: duplicates"
        numbers = sorted({r["sequence"] for r in mine})
        assert numbers == list(range(numbers[0], numbers[-1] + 1)), f"{jid}: gaps in {numbers}"
