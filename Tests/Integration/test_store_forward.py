"""Issue 5: nothing lost. The agent's outbox, XEP-0198 and PubSub publishing against a real
Prosody, with a slixmpp subscriber (alice, an operator) that records every item.

Each test runs the simulated device at 20 Hz (`interval = "50ms"`) behind a TCP proxy
(harness/tcp_proxy.py) that the test can close, cut or slow down, so it decides exactly when
the agent is online (harness/rig.py, the `rig` fixture). Alice connects straight to Prosody."""
import os
import re
import signal
import time

import pytest
from slixmpp.exceptions import IqError

from conftest import PASSWORDS, fill_up, start_prosody
from harness.items import PLUGINS, check_exactly_once
from harness.peers import Peer
from harness.rig import Rig, assert_in_order, backlog_through, flushed
from harness.wait import wait_until


def test_live_items_carry_the_readings(rig):
    r = rig()
    items = r.recorder.wait_for_items(10) and r.recorder.snapshot()
    check_exactly_once(items)
    assert all(item.delay is None for item in r.recorder.unique()[1:]), "live items carry no <delay/>"
    assert r.stats()["pending"] < 100


def test_server_down_30s_at_20hz_every_reading_arrives_once_in_order(rig, prosody):
    r = rig()
    startup_backlog = backlog_through(r.agent)
    mark = r.agent.mark()
    r.proxy.close()  # after the restart the agent comes back only once alice is back
    prosody.stop()  # SIGTERM: streams closed, the server forgets every XEP-0198 session
    stopped = time.time()
    r.agent.wait_for_log(r"INFO +session: offline", after=mark)
    outage_began = r.stats()["last"]
    time.sleep(30)  # the outage itself, at 20 Hz (not a wait for a condition)
    prosody.start()
    r.alice.disconnect()
    r.connect_alice()  # her subscription to the node is stored by Prosody
    r.proxy.open()
    r.agent.wait_online(after=mark)
    r.agent.wait_for_log(r"could not be resumed", after=mark)
    delayed_through = backlog_through(r.agent, after=mark)
    last = flushed(r, mark)

    arrivals = r.recorder.snapshot()
    check_exactly_once(arrivals, end=last)
    assert_in_order(r.recorder)
    before = {item.id for item in arrivals if item.received < stopped}
    outage = []
    for item in r.recorder.unique():
        if item.id in before:
            assert item.delay is None or item.last <= startup_backlog, f"live item with <delay/>: {item}"
        elif item.last <= delayed_through:
            assert item.delay == item.times[0], f"backlog item without its reading time as <delay/>: {item}"
            outage.append(item)
        else:
            assert item.delay is None, f"live item with <delay/>: {item}"
    assert delayed_through > outage_began
    span = (outage[-1].times[0] - outage[0].times[0]).total_seconds()
    assert len(outage) >= 500 and span >= 29, f"{len(outage)} delayed items over {span}s: the outage was not covered"


def test_sigkill_during_the_outage_loses_nothing(rig):
    # commit_interval = 0s: with the default 1 s, the readings sampled in the last second before
    # a SIGKILL exist only in the agent's memory; they die with it and their sequence numbers are
    # handed out again after the restart. That is the documented price of write batching (README,
    # [store] commit_interval), not something publishing can save, so this test commits every
    # batch and proves that nothing stored is lost and no number is reused.
    r = rig(store={"commit_interval": "0s"})
    mark = r.go_offline()
    time.sleep(5)  # offline for a while, then the crash
    killed_at = r.stats()
    r.agent.kill()
    r.agent = r.agent_factory(r.config).start()
    r.agent.wait_for_log(r"publishing to node", after=0)
    restart = r.agent.mark()
    time.sleep(5)  # still offline after the restart
    assert r.stats()["last"] > killed_at["last"], "the restarted agent did not keep sampling"
    r.proxy.open()
    r.agent.wait_online(after=restart)
    last = flushed(r, restart)
    check_exactly_once(r.recorder.snapshot(), end=last)
    assert_in_order(r.recorder)
    assert r.stats()["pending"] < 100


def test_connection_cut_in_the_middle_of_a_flush_loses_nothing(rig):
    r = rig()
    mark = r.go_offline()
    time.sleep(8)  # a backlog of about 160 batches
    r.proxy.throttle(15_000)  # bytes/s from the agent: the flush takes several seconds
    have = r.recorder.count()
    r.proxy.open()
    r.agent.wait_online(after=mark)
    through = backlog_through(r.agent, after=mark)
    r.recorder.wait_for_items(have + 20)
    cut = r.agent.mark()
    assert not r.agent.matching(r"backlog published: .*#%d\b" % through), "the flush ended before the cut"
    assert r.proxy.cut() == 1
    r.proxy.throttle(None)
    r.agent.wait_for_log(r"online as .*\(resumed\)", after=cut)
    last = flushed(r, cut)
    check_exactly_once(r.recorder.snapshot(), end=last)
    assert_in_order(r.recorder)


def missing_numbers(recorder, last):
    received = recorder.covered()
    return sorted(set(range(min(received), last + 1)) - received)


def test_outbox_cap_drops_the_oldest_and_counts_them(rig):
    r = rig(store={"max_readings": 300})
    mark = r.go_offline()
    acknowledged = r.stats()["acknowledged"]
    stats = wait_until(lambda: (s := r.stats())["dropped"] >= 300 and s, timeout=30, interval=0.5,
                       what="300 readings dropped by the cap")
    assert stats["pending"] <= 300
    assert stats["dropped"] == stats["last"] - stats["acknowledged"] - stats["pending"], stats
    r.agent.wait_for_log(r"WARN +store: outbox full, dropping the oldest readings", after=mark)
    assert not r.agent.exited()
    r.proxy.open()
    r.agent.wait_online(after=mark)
    last = flushed(r, mark)
    dropped = r.stats()["dropped"]
    assert dropped >= stats["dropped"]
    # What is missing is the oldest part of the outage, in one block after what the server had
    # acknowledged. The counter is an upper bound on what subscribers miss: a reading dropped
    # from the outbox after the publisher had taken it (in flight at the cut and resent by the
    # resumed session, or read ahead just before the drop) may still arrive.
    missing = missing_numbers(r.recorder, last)
    assert missing == list(range(missing[0], missing[-1] + 1)) and missing[0] > acknowledged
    assert dropped // 2 <= len(missing) <= dropped, (len(missing), dropped)
    check_exactly_once(r.recorder.snapshot(), start=missing[-1] + 1, end=last)
    assert_in_order(r.recorder)


def exported_sequences(lines):
    return [int(re.search(r'"sequence":(\d+)', line).group(1)) for line in lines]


def fill_the_disk(r, mark):
    """Offline until the database cannot grow; returns the readings it holds (pending)."""
    r.agent.wait_for_log(r"ERROR +store: cannot write .*(full|disk)", after=mark, timeout=60)
    stored = exported_sequences(r.export(pending=True))
    r.agent.wait_for_log(r"WARN +store: memory queue full", after=mark, timeout=30)
    assert exported_sequences(r.export(pending=True)) == stored, "readings stored before the disk filled changed"
    assert not r.agent.exited()
    return stored


@pytest.mark.parametrize("disk", ["max_file_bytes", "tmpfs"])
def test_full_disk_keeps_what_is_stored_and_publishes_it(request, rig, disk):
    """`max_file_bytes`: SQLite's max_page_count; the file has room again once acknowledged
    readings are deleted. `tmpfs`: a real ENOSPC on a small file system that a ballast file
    fills; in WAL mode not even a delete commits then, so space returns only when the ballast
    goes (as when an operator clears the disk)."""
    store = {"memory_max_readings": 600, "retry_interval": "1s"}
    if disk == "max_file_bytes":
        store["max_file_bytes"] = "128KiB"
    else:
        store["path"] = os.path.join(request.getfixturevalue("small_tmpfs"), "kinglet.db")
    r = rig(store=store, interval="20ms")
    ballast = None
    if disk == "tmpfs":
        ballast = fill_up(os.path.dirname(store["path"]), leave=160 * 1024)
    mark = r.go_offline()
    stored = fill_the_disk(r, mark)
    assert len(stored) > 300
    if ballast:
        os.remove(ballast)
    r.proxy.open()
    r.agent.wait_online(after=mark)
    r.agent.wait_for_log(r"INFO +store: writing to .* again", after=mark, timeout=60)
    last = flushed(r, mark)
    received = r.recorder.covered()
    # (The file's pending list may also hold readings published before alice subscribed whose
    # acknowledgement could not be written any more: only those after her first item count.)
    lost = sorted(n for n in set(stored) - received if n > min(received))
    assert not lost, f"readings stored before the disk filled were not published: {lost[:10]}... ({len(lost)})"
    assert len(missing_numbers(r.recorder, last)) <= r.stats()["dropped"]
    assert_in_order(r.recorder)


def corrupt_an_index(path):
    """Overwrites the root page of the reading_time index: quick_check fails, the table itself
    (the readings, keyed by sequence) is untouched."""
    import sqlite3
    with sqlite3.connect(path) as db:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'reading_time'").fetchone()[0]
    with open(path, "r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(b"\xa7" * page_size)


def test_corrupt_database_is_moved_aside_with_its_readings(rig):
    r = rig()
    r.go_offline()
    r.agent.wait_for_log(r"publish", timeout=1)
    time.sleep(3)  # readings pile up in the outbox while offline
    assert r.agent.stop() == 0
    before = r.export(pending=True)
    assert len(before) > 50
    corrupt_an_index(r.config["store"]["path"])
    r.agent = r.agent_factory(r.config).start()
    line = r.agent.wait_for_log(r"ERROR +store: .* is corrupt \(.*\); moved it to (\S+) and started a fresh database")
    aside = re.search(r"moved it to (\S+) and", line).group(1)
    assert r.export(database=aside, pending=True) == before, "the readings stored before are not all in the moved file"
    r.proxy.open()
    r.agent.wait_online()
    # A fresh file numbers from the clock (microseconds), above anything the old file held.
    r.recorder.wait_for_sequence(10**15)
    assert not r.agent.exited()


def test_without_stream_management_a_reading_leaves_on_its_publish_result(workdir, agent_factory):
    server = start_prosody(workdir, disabled_modules=("smacks",))
    r = Rig(server, workdir, agent_factory, PASSWORDS["alice"])
    try:
        r.start()
        r.agent.wait_for_log(r"does not offer XEP-0198")
        mark = r.go_offline()
        time.sleep(3)
        r.proxy.open()
        r.agent.wait_online(after=mark)
        last = flushed(r, mark)
        check_exactly_once(r.recorder.snapshot(), end=last)
        assert_in_order(r.recorder)
        wait_until(lambda: r.stats()["pending"] < 100, what="the outbox to empty on publish results")
    finally:
        r.stop()
        server.stop()


def test_pubsub_service_with_a_whitelist_of_operators(workdir, agent_factory):
    # Prosody's pubsub component lets only its admins create nodes: the device is one.
    server = start_prosody(workdir, pubsub_admins=("sensor",))
    service = "pubsub." + server.domain
    r = Rig(server, workdir, agent_factory, PASSWORDS["alice"], publish={"mode": "pubsub", "service": service})
    try:
        r.start()
        r.agent.wait_for_log(r"whitelist of node '.*': alice@kinglet\.test")
        bob = Peer(server, "bob", PASSWORDS["bob"], plugins=PLUGINS).connect()
        try:
            with pytest.raises(IqError) as refused:
                bob.run(lambda: bob.client.plugin["xep_0060"].subscribe(service, r.node, timeout=10))
            assert refused.value.condition in ("forbidden", "not-authorized", "not-allowed")
        finally:
            bob.disconnect()
        mark = r.go_offline()
        time.sleep(2)
        r.proxy.open()
        r.agent.wait_online(after=mark)
        last = flushed(r, mark)
        check_exactly_once(r.recorder.snapshot(), end=last)
    finally:
        r.stop()
        server.stop()


def test_a_node_configured_otherwise_is_reconfigured(rig):
    r = rig(publish={"max_items": 5})
    assert r.agent.stop() == 0
    r.config["publish"]["max_items"] = 7
    r.agent = r.agent_factory(r.config).start()
    r.agent.wait_for_log(r"INFO +publish: configured node 'urn:xmpp:iot:sensordata' .*max_items=7.*did not match")
    last = flushed(r, 0)
    check_exactly_once(r.recorder.snapshot(), end=last)
    assert not r.agent.matching(r"ERROR +publish")
