"""Issue 9: no consumer can exhaust the device. Floods, shares and throttles against the real
binary through a real Prosody, each test printing the figures it measured (`pytest -s` shows
them; `make bench` runs the same flood for longer on the release build)."""
import os
import subprocess
import threading
import time

import pytest
from slixmpp.exceptions import IqError

from conftest import PASSWORDS
from harness import iot
from harness.agent import BINARY, REPO, base_config, run_cli
from harness.commands import run_command
from harness.flood import Flood, flood_server
from harness.hung_file import HungFile, available as fuse_unavailable
from harness.items import PLUGINS as PUBSUB_PLUGINS, ItemRecorder
from harness.peers import Peer
from harness.wait import wait_until

SENSORDATA = "urn:xmpp:iot:sensordata"
COMMANDS = "http://jabber.org/protocol/commands"
VIEWERS = [f"viewer{n}" for n in range(4)]
# The flood runs against the optimised build that ships (`make test` builds it): the debug
# build's per-stanza cost, several times the release build's, is not what a device runs.
RELEASE_BINARY = os.environ.get("KINGLET_RELEASE_BIN", os.path.join(REPO, ".build", "release", "kinglet"))


def device_jid(prosody):
    return prosody.jid("sensor") + "/kinglet"


def flood_config(prosody, workdir):
    """As `make bench`: 10 Hz sampling, the last 100 readings as history, the default log level."""
    config = base_config(prosody, workdir)
    config["device"]["interval"] = "100ms"
    config["store"]["history_max_readings"] = 100
    config["log"] = {"level": "info"}
    return config


@pytest.fixture
def connect(prosody):
    peers = []

    def make(user, password=None, plugins=iot.PLUGINS):
        peer = Peer(prosody, user, password or PASSWORDS.get(user, "viewer-secret"), plugins=plugins).connect()
        peers.append(peer)
        return peer

    yield make
    for peer in peers:
        peer.disconnect()


@pytest.fixture
def limited_server(workdir):
    """Prosody holding clients (not the device) to 50 kB/s each: a flood of about 300 requests a
    second per flooder, five times what a stock Prosody lets through, and not so much that
    Prosody's own queues decide the round trips measured."""
    server = flood_server(workdir, PASSWORDS, client_rate="50kb/s")
    yield server
    server.stop()


def test_a_viewer_and_a_stranger_flooding_for_40_s_do_not_exhaust_the_device(limited_server, workdir, agent_factory):
    assert os.path.exists(RELEASE_BINARY), f"{RELEASE_BINARY} is missing: `make release` builds it (`make test` does)"
    prosody = limited_server
    agent = agent_factory(flood_config(prosody, workdir), binary=RELEASE_BINARY).start()
    agent.wait_online()
    figures = Flood(prosody, agent, PASSWORDS).run(seconds=40)
    print()
    for name, value, unit in figures.lines():
        print(f"{name:<44}{value} {unit}")
    assert figures.viewer["sent"] > 1000 and figures.stranger["sent"] > 1000, "the flood did not flood"
    assert figures.rss_peak_mib <= 16
    assert figures.pings_sent >= 100 and figures.pings_late == 0, sorted(figures.ping_rtts_ms)[-5:]
    assert figures.readings_per_second >= 5, "readings must still be published during the flood"
    assert figures.log_lines < 2000
    # The flood was refused, quietly: a few errors, the rest dropped and summed up in the log.
    assert 0 < figures.viewer["resource-constraint"] < figures.viewer["sent"] / 10
    assert 0 < figures.stranger["forbidden"] < figures.stranger["sent"] / 10
    agent.wait_for_log(r"INFO +access: \d+ more refused from mallory@kinglet\.test in the last minute", timeout=90)


def test_a_viewer_scheduling_readouts_leaves_the_operators_share(prosody, agent, connect):
    device = device_jid(prosody)
    bob, alice = connect("bob", plugins=()), connect("alice", plugins=())
    later = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 23 * 3600))
    answers = [iot.raw_iq(bob, device, "get", f"<req xmlns='{SENSORDATA}' seqnr='{n}' momentary='true' when='{later}'/>")
               for n in range(24)]  # within the viewer's burst of requests: only the share refuses
    accepted = [n for n, (kind, _) in enumerate(answers) if kind == "result"]
    refused = [stanza for kind, stanza in answers if kind == "error"]
    print(f"\nviewer's scheduled readouts: {len(accepted)} accepted, {len(refused)} refused")
    assert len(accepted) == 4 and len(refused) == 20, [kind for kind, _ in answers if kind != "error"]
    assert iot.error_condition(refused[0]) == "resource-constraint"
    assert "at most 4 per requester" in refused[0]["error"]["text"]
    # The operator's readout is scheduled, and the operator can cancel the viewer's.
    kind, _ = iot.raw_iq(alice, device, "get", f"<req xmlns='{SENSORDATA}' seqnr='100' momentary='true' when='{later}'/>")
    assert kind == "result"
    kind, cancelled = iot.raw_iq(alice, device, "get", f"<cancel xmlns='{SENSORDATA}' seqnr='{accepted[0]}'/>")
    assert kind == "result"
    agent.wait_for_log(rf"alice@kinglet\.test/test cancelled the readout {accepted[0]} scheduled by bob@kinglet\.test/test")
    # The cancelled readout's share is free again (once bob's request rate allows another).
    wait_until(lambda: iot.raw_iq(bob, device, "get", f"<req xmlns='{SENSORDATA}' seqnr='200' momentary='true' when='{later}'/>")[0] == "result",
               timeout=20, interval=0.5, what="bob's next scheduled readout")


def test_viewers_opening_command_sessions_leave_the_operators_share(prosody, workdir, agent_factory, connect):
    for user in VIEWERS:
        prosody.register(user, "viewer-secret")
    config = base_config(prosody, workdir)
    config["access"]["viewers"] = [prosody.domain]  # every account there: they share the domain's budget
    agent = agent_factory(config).start()
    agent.wait_online()
    device = device_jid(prosody)
    opened, refused = 0, []
    for user in VIEWERS:
        viewer = connect(user)
        for _ in range(16):
            try:
                run_command(viewer, device, "read-sensors")
                opened += 1
            except IqError as error:
                refused.append(error.iq)
    print(f"\nviewers' command sessions: {opened} opened, {len(refused)} refused")
    assert opened == 8 and len(refused) == 56  # 4 each, 8 for the whole domain
    assert refused[0]["error"]["condition"] == "resource-constraint"
    assert "for all of kinglet.test" in refused[-1]["error"]["text"]
    alice = connect("alice")
    session = run_command(alice, device, "set-control")["sessionid"]
    done = run_command(alice, device, "set-control", action="complete", session=session,
                       fields={"controls": ["relay"], "relay": True})
    assert done["notes"] == [("info", "relay is now on.")]


def chat(peer, prosody, body):
    peer.run_sync(lambda: peer.client.send_message(mto=device_jid(prosody), mbody=body, mtype="chat"))


def test_a_chat_sender_past_the_limit_is_told_when_it_ends_and_a_set_is_answered(prosody, workdir, agent_factory, connect):
    config = base_config(prosody, workdir)
    config["limits"] = {"chat": {"burst": 3, "quiet": "30s"}}
    agent = agent_factory(config).start()
    agent.wait_online()
    alice = connect("alice", plugins=())
    replies = []

    def collect():
        while not alice.messages.empty():
            message = alice.messages.get()
            if message["from"].bare == prosody.jid("sensor"):
                replies.append(message["body"])
        return replies

    for body in ("status", "read temperature", "help", "status"):
        chat(alice, prosody, body)
    wait_until(lambda: len(collect()) >= 4, timeout=20, what=lambda: f"four replies, got {replies}")
    print(f"\nreplies: {replies}")
    assert replies[3] == "too many messages: I will answer again in 30 s"
    agent.wait_for_log(r"WARN +chat: too many messages from alice@kinglet\.test: not answering for 30s")
    chat(alice, prosody, "read temperature")  # muted: no answer
    chat(alice, prosody, "set relay on")
    wait_until(lambda: len(collect()) >= 5, timeout=20, what=lambda: f"an answer to the set, got {replies}")
    assert replies[4].startswith("not applied: too many messages; send it again in ")
    assert len(replies) == 5
    assert not agent.matching(r"set relay")


def tank_profile(workdir, level_path):
    path = os.path.join(workdir, "tank.toml")
    with open(path, "w") as f:
        f.write(f"""[device]
name = "tank"
interval = "1s"

[[sensor]]
name = "serial_number"
source = "constant"
value = "TANK-1"

[[sensor]]
name = "level"
source = "file"
path = "{level_path}"
value_type = "int"
unit = "%"
""")
    return path


def test_a_fifo_is_a_config_error_at_its_line_and_check_does_not_hang(workdir):
    fifo = os.path.join(workdir, "level")
    os.mkfifo(fifo)
    profile = tank_profile(workdir, fifo)
    result = run_cli("check", "--profile", profile, timeout=20)
    assert result.returncode == 78
    assert result.stderr.startswith(f"{profile}:13: path {fifo} is a FIFO, not a regular file"), result.stderr
    # The profile path itself a FIFO: refused at once, not read until a writer comes.
    result = run_cli("check", "--profile", fifo, timeout=20)
    assert result.returncode == 78 and "a FIFO, not a regular file" in result.stderr, result.stderr


def watch_status(prosody, workdir, agent_factory, connect, level_path):
    """The tank's agent, with presence showing the failing sensors' reasons; alice subscribed."""
    config = base_config(prosody, workdir)
    config["device"] = {"profile": tank_profile(workdir, level_path)}
    config["presence"] = {"check_interval": "1s", "status": "{problems}"}
    agent = agent_factory(config).start()
    agent.wait_online(timeout=30)
    alice = connect("alice", plugins=())
    alice.subscribe_to(prosody.jid("sensor"))
    return agent, alice


def failing_presence(alice, prosody, reason):
    return alice.wait_presence(lambda p: p["from"].bare == prosody.jid("sensor") and p["show"] == "dnd"
                               and reason in p["status"], timeout=30)


def chat_status(alice, prosody):
    alice.run_sync(lambda: alice.client.send_message(mto=device_jid(prosody), mbody="status", mtype="chat"))
    return alice.wait_message(lambda m: m["from"].bare == prosody.jid("sensor"), timeout=20)["body"]


@pytest.mark.skipif(fuse_unavailable() is not None, reason=str(fuse_unavailable()))
def test_a_file_whose_read_never_returns_fails_its_sensor_and_the_agent_comes_online(prosody, workdir, agent_factory, connect):
    with HungFile(os.path.join(workdir, "bus")) as hung:
        agent, alice = watch_status(prosody, workdir, agent_factory, connect, hung.path)
        presence = failing_presence(alice, prosody, "timed out")
        print(f"\npresence: {presence['status']!r}; reads left hanging: {hung.reads}")
        assert presence["status"] == f"1 failing: level (read timed out after 5 s: {hung.path})"
        assert f"level (read timed out after 5 s: {hung.path})" in chat_status(alice, prosody)
        assert hung.reads == 1, "a hung read is not piled up with more threads"
    # Leaving the block ends the hung read (EIO) before the agent is killed.


def test_a_fifo_that_appears_later_fails_its_sensor_and_the_agent_stays_online(prosody, workdir, agent_factory, connect):
    level = os.path.join(workdir, "level")  # absent at first: the sensor fails, the config is fine
    agent, alice = watch_status(prosody, workdir, agent_factory, connect, level)
    failing_presence(alice, prosody, "No such file")
    os.mkfifo(level)
    presence = failing_presence(alice, prosody, "a FIFO, not a regular file")
    print(f"\npresence: {presence['status']!r}")
    assert presence["status"] == f"1 failing: level (read {level}: a FIFO, not a regular file)"
    assert "a FIFO, not a regular file" in chat_status(alice, prosody)


BOARD_PROFILE = """[device]
name = "board"
interval = "1s"

[[sensor]]
name = "board_temperature"
source = "hwmon"
chip = "hwmon9"
attribute = "temp1_input"
scale = 0.001
unit = "°C"

[[sensor]]
name = "room"
source = "simulated"
unit = "°C"
decimals = 3
mean = 20.0
noise = 0.5
"""
HUNG_HWMON = "/sys/class/hwmon/hwmon9/temp1_input"


def in_namespace_with_sys_class(workdir, tree):
    """A kinglet wrapper that runs it in a mount namespace of its own with `tree` mounted on
    /sys/class: the real hwmon source reads the fake chip at its real path, and the host's /sys
    is left as it is."""
    wrapper = os.path.join(workdir, "kinglet-namespaced")
    with open(wrapper, "w") as f:
        f.write("#!/bin/sh\nexec unshare --mount --propagation private /bin/sh -c "
                "'mount --bind \"$0\" /sys/class && exec \"$@\"' " + f'"{tree}" "{BINARY}" "$@"\n')
    os.chmod(wrapper, 0o755)
    return wrapper


def read_until(process, word, timeout):
    """The lines `process` wrote to stdout up to one containing `word`, and the seconds it took.
    Read on a thread: the pipe stays open while the hung thread holds the process."""
    lines, started, found = [], time.monotonic(), threading.Event()

    def pump():
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if word in line:
                found.set()

    threading.Thread(target=pump, daemon=True).start()
    assert found.wait(timeout), f"no line with {word!r} within {timeout} s: {lines}"
    return lines, time.monotonic() - started


def process_state(pid):
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0]


@pytest.mark.skipif(fuse_unavailable() is not None, reason=str(fuse_unavailable()))
def test_a_hwmon_attribute_whose_read_never_returns_fails_its_sensor_and_the_rest_goes_on(
        prosody, workdir, agent_factory, connect):
    profile = os.path.join(workdir, "board.toml")
    with open(profile, "w") as f:
        f.write(BOARD_PROFILE)
    failing = f"board_temperature (read timed out after 5 s: {HUNG_HWMON})"
    with HungFile(os.path.join(workdir, "chip"), name="temp1_input") as hung:
        tree = os.path.join(workdir, "class")
        os.makedirs(os.path.join(tree, "hwmon"))
        os.symlink(hung.mountpoint, os.path.join(tree, "hwmon", "hwmon9"))
        wrapper = in_namespace_with_sys_class(workdir, tree)

        # kinglet read --once: the table comes at the deadline, the hung sensor naming its file.
        reader = subprocess.Popen([wrapper, "read", "--profile", profile, "--once"], stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)
        lines, took = read_until(reader, "room", timeout=30)
        table = "\n".join(lines)
        # The process has returned: only the hung thread, which no signal can end while the FUSE
        # server holds its read, keeps it from being reaped.
        wait_until(lambda: process_state(reader.pid) == "Z", timeout=10, what="kinglet read to return")
        print(f"\nkinglet read --once answered in {took:.1f} s:\n{table}")
        assert f"read timed out after 5 s: {HUNG_HWMON}" in table
        assert 5 <= took < 15

        # The agent: online, the sensor failing with the path, the other sensor still published.
        config = base_config(prosody, workdir)
        config["device"] = {"profile": profile}
        config["presence"] = {"check_interval": "1s", "status": "{problems}"}
        agent = agent_factory(config, binary=wrapper).start()
        agent.wait_online(timeout=30)
        alice = connect("alice", plugins=PUBSUB_PLUGINS)
        recorder = ItemRecorder().attach(alice)
        alice.subscribe_to(prosody.jid("sensor"))
        presence = failing_presence(alice, prosody, "timed out")
        assert presence["status"] == f"1 failing: {failing}"
        assert failing in chat_status(alice, prosody)
        agent.wait_for_log(rf"WARN +device: board_temperature: read timed out after 5 s: {HUNG_HWMON}")
        pubsub = alice.client.plugin["xep_0060"]
        alice.run(lambda: pubsub.subscribe(prosody.jid("sensor"), SENSORDATA, timeout=10))

        def rooms():
            return [v for item in recorder.snapshot() for (_, name, v) in item.values if name == "room"]

        wait_until(lambda: len(rooms()) >= 3, timeout=30, what=lambda: f"3 room readings published, have {rooms()}")
        print(f"presence: {presence['status']!r}; room readings published after: {rooms()}")
    # Leaving the block answers the hung reads (EIO): kinglet read can now be reaped.
    assert reader.wait(timeout=20) == 0
