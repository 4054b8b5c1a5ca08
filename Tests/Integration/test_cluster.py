"""Issue 11: a fleet on a two-node ejabberd cluster (`make test-cluster`; `make integration` leaves
it out). 100 simulated devices list both nodes in `servers` and spread over them; the console is
logged in on node B. Node A is stopped: its devices come back through node B, and the console's
export has every reading of every device exactly once across the failover. Node A starts again
and rejoins: nothing changes for the devices."""
import os
import time

import pytest

from harness.console import Export, check_every_sequence_once, console_config, fleet_cli, stored_progress
from harness.ejabberd import EjabberdCluster, available
from harness.simulator import PASSWORD, Simulator, simulator_config, users
from harness.wait import wait_until

COUNT = 100


def sessions(node):
    """The simulated devices with a session on `node` (connected_users lists the cluster's)."""
    result = node.ctl("connected_users_info")
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    return {row[0].split("/")[0] for row in rows if len(row) > 5 and row[0].startswith("sim-") and row[5] == node.node}


def shared_roster(node):
    """The console sees every device and each device sees the console (two groups that show each
    other, so that the devices do not see one another)."""
    for command in (["srg_create", "devices", node.domain, "devices", "simulated devices", "operators"],
                    ["srg_create", "operators", node.domain, "operators", "fleet operators", "devices"],
                    ["srg_user_add", "@all@", node.domain, "devices", node.domain],
                    ["srg_user_add", "console", node.domain, "operators", node.domain]):
        result = node.ctl(*command)
        assert result.returncode == 0, f"ejabberdctl {' '.join(command)}: {result.stdout}{result.stderr}"


@pytest.fixture
def cluster(workdir):
    why_not = available()
    if why_not:
        pytest.skip(why_not)
    cluster = EjabberdCluster(workdir, log_level="warning").start()
    yield cluster
    cluster.stop()


def test_devices_ride_out_the_loss_of_a_node(cluster, workdir):
    a, b = cluster.nodes
    a.register_many(users(COUNT) + ["console"], PASSWORD)
    shared_roster(a)
    sections = simulator_config(cluster, workdir, servers=[f"127.0.0.1:{a.c2s_port}", f"127.0.0.1:{b.c2s_port}"],
                                interval="2s")
    sections["xmpp"].update(reconnect_max="5s")
    # The node keeps what the console may have to fetch after subscribing.
    sections["publish"] = {"max_items": 256}
    simulator = Simulator(workdir, sections, COUNT, rate=50).start()
    devices = {cluster.jid(user): os.path.join(workdir, "sim", f"{user.split('-')[1]}.db") for user in users(COUNT)}
    export = None
    try:
        simulator.wait_all_online(timeout=90)
        on_a, on_b = sessions(a), sessions(b)
        assert len(on_a) + len(on_b) == COUNT and abs(len(on_a) - len(on_b)) <= 2, (len(on_a), len(on_b))

        # The console on node B discovers all of them, those on node A included.
        config = console_config(workdir, b, "console", PASSWORD)
        with open(config, "a") as f:  # export.log, kept with the workdir when the test fails, says why
            f.write('\n[log]\nlevel = "debug"\n')
        listed, _ = fleet_cli(config, "list", "--json", "--wait", "20")
        assert listed.returncode == 0, listed.stderr
        assert listed.stdout.count('"online":true') == COUNT

        # The export subscribes to each device's node once it exists (a device publishing for
        # the first time creates it) and from then on hears from every one of them.
        wait_until(lambda: all(stored_progress(path)[1] > 0 for path in devices.values()), timeout=60, interval=1,
                   what="every device to have published")
        export = Export(config, workdir)
        wait_until(lambda: {r["device"] for r in export.records()} >= set(devices), timeout=60, interval=1,
                   what=lambda: f"the export to hear from every device; not from "
                                f"{sorted(set(devices) - {r['device'] for r in export.records()})}")

        # Node A goes down: its devices are back through node B within 60 s.
        stopped_at = time.monotonic()
        a.stop()
        wait_until(lambda: len(sessions(b)) == COUNT, timeout=60, interval=1,
                   what=lambda: f"all devices on node B; {len(sessions(b))} there")
        print(f"failover: {len(on_a)} devices back through node B in {time.monotonic() - stopped_at:.1f} s")

        # Node A comes back and rejoins the cluster: the devices stay where they are.
        a.start()
        wait_until(lambda: cluster.members(b) == {a.node, b.node}, timeout=60, interval=0.5,
                   what="node A back in the cluster")
        lost_before = len([line for line in simulator.log() if "connection lost" in line])
        simulator.wait_counts(timeout=15)
        assert simulator.wait_counts(timeout=15) == (COUNT, 0, 0, 0)  # a full 10 s after the rejoin
        assert len(sessions(b)) == COUNT and not sessions(a)
        assert len([line for line in simulator.log() if "connection lost" in line]) == lost_before

        assert simulator.stop() == (0, COUNT, 0)
        # The last notifications are on their way: wait until the export has everything each
        # device's outbox says the server acknowledged, from the first reading it saw of each.
        wait_until(lambda: not check_every_sequence_once(export.records(), devices, from_start=False),
                   timeout=30, interval=1,
                   what=lambda: "; ".join(check_every_sequence_once(export.records(), devices, from_start=False)[:5]))
    finally:
        simulator.kill()
        records = export.stop() if export else []
    moved = {cluster.jid(user) for user in on_a}
    delayed = [r for r in records if r["delivery"] == "delayed" and r["device"] in moved]
    print(f"export: {len(records)} readings, {len(delayed)} of them delayed from the devices that moved")
