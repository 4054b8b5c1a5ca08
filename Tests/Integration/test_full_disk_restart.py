"""A full disk while online, then a restart: no sequence number (item id) is ever published twice
for different readings.

While the file cannot be written, readings wait in memory; their numbers may be published only
once the file says that they were handed out, or a restarted agent would number on from the
file's last sequence and publish those ids again for other readings. A real tmpfs fills (ENOSPC)
while the agent is online at 50 Hz with alice subscribed; the agent then dies (SIGKILL) or stops
(SIGTERM), the disk is cleared before or after the restart, and everything alice received is
compared id by id."""
import os
import time

import pytest

from conftest import fill_up
from harness.items import check_no_id_reused
from harness.rig import assert_in_order
from harness.wait import wait_until


@pytest.mark.parametrize("stop, cleared", [
    ("sigkill", "before the restart"),
    ("sigkill", "after the restart"),
    ("sigterm", "before the stop"),
    ("sigterm", "after the restart"),
])
def test_numbers_held_on_a_full_disk_are_never_reused(rig, small_tmpfs, stop, cleared):
    path = os.path.join(small_tmpfs, "kinglet.db")
    r = rig(store={"path": path, "memory_max_readings": 20_000, "retry_interval": "1s"}, interval="20ms")
    mark = r.agent.mark()
    ballast = fill_up(small_tmpfs, leave=64 * 1024)
    r.agent.wait_for_log(r"ERROR +store: cannot write .*full", after=mark, timeout=60)
    full_since = r.recorder.count()
    time.sleep(5)  # online on a full disk: readings wait in memory
    published_while_full = r.recorder.count() - full_since

    if cleared == "before the stop":
        os.remove(ballast)
        r.agent.wait_for_log(r"INFO +store: writing to .* again", after=mark, timeout=30)
    if stop == "sigkill":
        r.agent.kill()
    else:
        assert r.agent.stop() == 0
    if cleared == "before the restart":
        os.remove(ballast)
    before_restart = r.recorder.count()
    r.agent = r.agent_factory(r.config).start()
    r.agent.wait_online()
    if cleared == "after the restart":
        time.sleep(3)  # online again, the disk still full
        os.remove(ballast)
    # Well past the restart: a number reused by the new run would have arrived by now.
    r.recorder.wait_for_items(before_restart + 200, timeout=60)
    arrivals = r.recorder.snapshot()
    repeated = check_no_id_reused(arrivals)
    assert_in_order(r.recorder)
    print(f"{published_while_full} items published on the full disk, {repeated} resent with the same readings")
    assert not r.agent.exited()
