"""Issue 11: `kinglet fleet simulate`, several full agents in one process, against a real Prosody
(the 1,000-device figures are `make bench-fleet`'s)."""
import os
import re

from conftest import PASSWORDS
from harness import iot
from harness.agent import render_config, run_cli
from harness.peers import Peer
from harness.simulator import PASSWORD, Simulator, simulator_config, users

COUNT = 5


def test_simulated_devices_are_whole_agents_and_go_offline_cleanly(prosody, workdir):
    for user in users(COUNT):
        prosody.register(user, PASSWORD)
    simulator = Simulator(workdir, simulator_config(prosody, workdir), COUNT, rate=20).start()
    try:
        seconds, _ = simulator.wait_all_online(timeout=60)
        assert seconds < 60
        assert simulator.wait_counts(timeout=15) == (COUNT, 0, 0, 0)
        # Each one answers for itself, with its own session and outbox.
        alice = Peer(prosody, "alice", PASSWORDS["alice"], plugins=iot.PLUGINS).connect()
        try:
            for n in (1, COUNT):
                readout = iot.read(alice, f"{prosody.jid(f'sim-{n}')}/kinglet", flags={"momentary": "true"})
                assert "temperature" in readout.fields, readout.results
        finally:
            alice.disconnect()
        for n in range(1, COUNT + 1):
            assert os.path.exists(os.path.join(workdir, "sim", f"{n}.db"))
        status, clean, failed = simulator.stop()
        assert (status, clean, failed) == (0, COUNT, 0)
        # Every device said goodbye: its outbox was closed and nothing is left behind.
        assert not any(name.endswith("-shm") for name in os.listdir(os.path.join(workdir, "sim")))
    finally:
        simulator.kill()


def test_log_lines_name_the_device(prosody, workdir):
    prosody.register("sim-1", PASSWORD)
    sections = simulator_config(prosody, workdir)
    sections["log"] = {"level": "info"}
    simulator = Simulator(workdir, sections, 2, rate=10).start()  # sim-2 has no account
    try:
        simulator.wait_line(re.compile(r"^\d+s: 1 online, 0 reconnecting, 1 failed"), timeout=40)
        log = simulator.log()
        assert any(re.match(r"^INFO  sim-1 session: online as sim-1@", line) for line in log)
        assert any(re.match(r"^ERROR sim-2 session: .*(not-authorized|authentication)", line) for line in log)
    finally:
        simulator.stop()


def test_a_config_that_devices_cannot_share_is_refused(prosody, workdir):
    sections = simulator_config(prosody, workdir)
    sections["xmpp"]["jid"] = prosody.jid("sim")
    path = os.path.join(workdir, "shared.toml")
    with open(path, "w") as f:
        f.write(render_config(sections))
    result = run_cli("fleet", "simulate", "--config", path, "--count", "3")
    assert result.returncode == 78
    assert "jid must contain {n}" in result.stderr
    assert run_cli("fleet", "simulate", "--config", path, "--count", "0").returncode == 64
    assert run_cli("fleet", "simulate", "--config", path, "--count", "3", "--json").returncode == 64
