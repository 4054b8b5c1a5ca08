"""Issue 13: `kinglet set` from the shell, refused while a running agent drives the same outputs,
and controls that come back after a restart with who set them, through the real binary and a
real Prosody. The outputs are sysfs-style attribute files in the test's directory (the kernel's
own attributes are the kernel test's business: Tests/Kernel)."""
import os
import re

import pytest

from conftest import PASSWORDS
from harness.agent import base_config, run_cli
from harness.peers import Peer
from harness.commands import run_command, values
from test_adhoc_chat import chat


def profile(workdir):
    """A device whose controls write files: relay (restore = last), fan (limits, restore = last)
    and mode (restore = initial)."""
    for name, content in (("relay", "0\n"), ("fan", "0\n"), ("mode", "auto\n")):
        with open(os.path.join(workdir, name), "w") as f:
            f.write(content)
    path = os.path.join(workdir, "bench.toml")
    with open(path, "w") as f:
        f.write(f"""
[device]
name = "bench"

[[sensor]]
name = "temperature"
source = "simulated"
mean = 21

[[control]]
name = "relay"
type = "boolean"
initial = false
target = {{ kind = "sysfs", path = "{workdir}/relay" }}

[[control]]
name = "fan"
type = "int"
unit = "%"
min = 0
max = 100
initial = 10
target = {{ kind = "sysfs", path = "{workdir}/fan" }}

[[control]]
name = "mode"
type = "enum"
values = ["auto", "manual"]
initial = "auto"
restore = "initial"
target = {{ kind = "sysfs", path = "{workdir}/mode" }}
""")
    return path


def content(workdir, name):
    with open(os.path.join(workdir, name)) as f:
        return f.read().strip()


def test_kinglet_set_checks_everything_first_then_applies_and_says_so(workdir):
    bench = profile(workdir)
    refused = run_cli("set", "--profile", bench, "relay", "on", "fan", "150")
    assert refused.returncode == 1
    assert refused.stderr.strip() == "kinglet set: fan must be a whole number between 0 and 100 %, not 150; nothing was set"
    assert content(workdir, "relay") == "0"  # nothing was touched
    unknown = run_cli("set", "--profile", bench, "temperature", "5")
    assert unknown.returncode == 1
    assert "temperature is a sensor and cannot be set; controls: relay, fan, mode" in unknown.stderr
    assert run_cli("set", "--profile", bench, "relay").returncode == 64  # usage: NAME without VALUE
    done = run_cli("set", "--profile", bench, "relay", "on", "fan", "35", "MODE", "Manual")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["relay is now on", "fan is now 35 %", "mode is now manual"]
    assert [content(workdir, n) for n in ("relay", "fan", "mode")] == ["1", "35", "manual"]


def test_set_is_refused_while_the_agent_drives_the_outputs_then_restored_after_a_restart(prosody, workdir, agent_factory):
    config = base_config(prosody, workdir)
    config["device"] = {"profile": profile(workdir)}
    agent = agent_factory(config).start()
    agent.wait_online()
    # Set through chat by alice: kept with her name.
    alice = Peer(prosody, "alice", PASSWORDS["alice"]).connect()
    try:
        assert chat(alice, prosody, "set fan 60") == "fan is now 60 %"
        assert chat(alice, prosody, "set mode manual") == "mode is now manual"
        status = chat(alice, prosody, "status")
        assert re.search(r"^last set: fan 60 % by alice@kinglet\.test \d+s ago; mode manual by alice@kinglet\.test \d+s ago$",
                         status, re.M), status
    finally:
        alice.disconnect()

    refused = run_cli("set", "--profile", config["device"]["profile"], "fan", "20")
    assert refused.returncode == 1
    pid = agent.process.pid
    assert (f"kinglet set: fan is driven by a running process (pid {pid}: kinglet run --config {agent.config_path}); "
            f"nothing was set. Stop it first (kill {pid})") in refused.stderr, refused.stderr
    assert content(workdir, "fan") == "60"

    assert agent.stop() == 0
    # The shell may set it now, and with --config the agent starts from that value.
    done = run_cli("set", "--config", agent.config_path, "relay", "on")
    assert done.returncode == 0, done.stderr
    assert "saved: the agent starts relay at this value" in done.stdout
    for name, reset in (("relay", "0"), ("fan", "0"), ("mode", "auto")):  # as a power cut would leave them
        with open(os.path.join(workdir, name), "w") as f:
            f.write(reset + "\n")

    mark = agent.mark()
    agent.start()
    agent.wait_online(after=mark)
    # relay and fan come back to their last values, mode (restore = "initial") to its initial one.
    assert [content(workdir, n) for n in ("relay", "fan", "mode")] == ["1", "60", "auto"]
    agent.wait_for_log(r"INFO +device: fan: restored to 60, as alice@kinglet\.test set it at ", after=mark)
    agent.wait_for_log(r"INFO +device: relay: restored to true, as kinglet set \(\w+\) set it at ", after=mark)
    bob = Peer(prosody, "bob", PASSWORDS["bob"]).connect()
    try:
        info = values(run_command(bob, prosody.jid("sensor") + "/kinglet", "device-info")["form"])
        lines = info["kinglet-last-set"]  # text-multi: one value per line
        assert [line.split(",")[0] for line in lines] == ["relay: on", "fan: 60 %", "mode: manual"], lines
        assert re.fullmatch(r"fan: 60 %, by alice@kinglet\.test at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", lines[1])
    finally:
        bob.disconnect()
