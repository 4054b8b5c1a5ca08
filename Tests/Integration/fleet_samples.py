#!/usr/bin/env python3
"""Prints the sample output of README's "Running a fleet" from a real run: a private Prosody,
three agents with the simulated profile in a fleet room, enrollment (a viewer that refuses, an
operator that does not answer yet), and the console logged in as the operator.

    python3 Tests/Integration/fleet_samples.py      (after `swift build`)
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from conftest import PASSWORDS, start_prosody  # noqa: E402
from harness.agent import BINARY, Agent, base_config, render_config  # noqa: E402
from harness.fleet import Fleet, register_devices  # noqa: E402
from harness.peers import Peer  # noqa: E402
from harness.wait import wait_until  # noqa: E402
from test_fleet_room import RoomPeer  # noqa: E402

COUNT = 3


def log_line(agent, pattern, after=0):
    """The agent's log line matching `pattern`, as it printed it."""
    return agent.wait_for_log(pattern, after=after).strip()


def enrollment(server, workdir):
    """A device listing alice (operator) and bob (viewer): bob refuses, alice has not answered;
    after a restart it asks no one."""
    config = base_config(server, workdir)
    config["device"] = {"profile": "simulated", "interval": "1s"}
    config["access"] = {"operators": [server.jid("alice")], "viewers": [server.jid("bob")]}
    agent = Agent(workdir, config, name="enrolling").start()
    first = log_line(agent, r"enrollment: asked")
    bob = Peer(server, "bob", PASSWORDS["bob"])
    bob.run_sync(lambda: setattr(bob.client, "auto_authorize", None))
    bob.connect()
    bob.run_sync(lambda: bob.client.send_presence(pto=server.jid("sensor"), ptype="unsubscribed"))
    log_line(agent, r"refused or cancelled our presence subscription")
    bob.disconnect()
    agent.stop()
    mark = agent.mark()
    agent.start()
    again = log_line(agent, r"enrollment: asked", after=mark)
    agent.kill()
    return [first, again]


def console(server, workdir, room):
    path = os.path.join(workdir, "console.toml")
    with open(path, "w") as f:
        f.write(render_config({
            "xmpp": {"jid": server.jid("alice") + "/console", "password": PASSWORDS["alice"], "host": "127.0.0.1",
                     "port": server.c2s_port, "ca_file": server.pki.ca_file},
            "fleet": {"room": room, "cache": os.path.join(workdir, "console.cache")},
        }))
    os.chmod(path, 0o600)  # it holds the password
    return path


def run(workdir, *args):
    """`kinglet ARGS` in workdir, shown as typed there."""
    result = subprocess.run([BINARY, *args], cwd=workdir, capture_output=True, text=True, timeout=60)
    return f"$ kinglet {' '.join(args)}\n{result.stdout}{result.stderr}"


def main():
    workdir = tempfile.mkdtemp(prefix="kinglet-fleet-samples-")
    server = start_prosody(workdir)
    register_devices(server, COUNT)
    room = f"greenhouse@conference.{server.domain}"
    fleet = None
    try:
        samples = enrollment(server, workdir)
        fleet = Fleet(server, COUNT, operators=[server.jid("alice")], fleet={"room": room}, workdir=workdir)
        fleet.start()
        samples.insert(1, log_line(fleet[0], r"enrollment: asked"))
        print("# enrollment (the device listing alice and bob, after bob refused and a restart; sensor-0)")
        print("\n".join(samples))

        fleet.accepted_by("alice", PASSWORDS["alice"])

        in_room = RoomPeer(server, "alice", room, "alice")
        wait_until(lambda: all(in_room.occupant(f"sensor-{i}") for i in range(COUNT)), timeout=20, what="every device in the room")
        in_room.say("sensor-2: read temperature")
        answer, _ = in_room.group_reply(lambda m: m["from"].resource == "sensor-2")
        print("\n# the room: alice says 'sensor-2: read temperature'; sensor-2 answers")
        print(answer["body"])
        in_room.leave()

        config = console(server, workdir, room)
        print()
        print(run(workdir, "fleet", "list", "--config", "console.toml"))
        print(run(workdir, "fleet", "read", "--all", "--field", "temperature,humidity", "--config", "console.toml"))
        print(run(workdir, "fleet", "set", server.jid("sensor-1"), "relay=on", "dimmer=150", "--config", "console.toml"))

        export = subprocess.Popen([BINARY, "fleet", "export", "--config", config], cwd=workdir, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)
        line = export.stdout.readline()
        while '"temperature"' not in line:
            line = export.stdout.readline()
        export.terminate()
        export.wait(timeout=20)
        print("# export: the first temperature line")
        print(json.dumps(json.loads(line), ensure_ascii=False, separators=(",", ":")))
    finally:
        if fleet:
            fleet.stop()
        server.stop()


if __name__ == "__main__":
    main()
