"""Issue 10, enrollment: devices ask the accounts they list for a presence subscription at login,
once, and never again after a refusal (across a restart of every agent); and the server-side
alternative (Prosody's mod_groups, ejabberd's mod_shared_roster) makes asking unnecessary.
Each module-scoped server runs ten agents at once."""
import collections
import os
import tempfile
import threading

import pytest

from conftest import PASSWORDS, start_server
from harness.fleet import Fleet, device_name, register_devices, wait_count
from harness.peers import Peer
from harness.wait import wait_until

COUNT = 10


class Recorder:
    """What a slixmpp peer that answers nothing by itself receives: subscription requests and
    available presences, per sender's bare JID."""

    def __init__(self, peer):
        self.lock = threading.Lock()
        self.requests = collections.Counter()
        self.available = set()
        peer.run_sync(lambda: self._attach(peer.client))

    def _attach(self, client):
        client.auto_authorize = None  # neither accept nor refuse: the test does
        client.auto_subscribe = False
        client.add_event_handler("presence_subscribe", self._subscribe)
        client.add_event_handler("presence_available", self._available)

    def _subscribe(self, presence):
        with self.lock:
            self.requests[presence["from"].bare] += 1

    def _available(self, presence):
        with self.lock:
            self.available.add(presence["from"].bare)

    def counts(self):
        with self.lock:
            return dict(self.requests)

    def seen(self):
        with self.lock:
            return set(self.available)


@pytest.fixture(scope="module", params=["prosody", "ejabberd"])
def server(request):
    workdir = tempfile.mkdtemp(prefix=f"kinglet-enroll-{request.param}-")
    srv = start_server(request.param, workdir)
    register_devices(srv, COUNT + 1)
    yield srv
    srv.stop()


def test_devices_enroll_once_and_respect_a_refusal(server):
    alice = Peer(server, "alice", PASSWORDS["alice"])
    alice_seen = Recorder(alice)
    bob = Peer(server, "bob", PASSWORDS["bob"])
    bob_seen = Recorder(bob)
    alice.connect()
    bob.connect()
    fleet = Fleet(server, COUNT, operators=[server.jid("alice"), server.domain], viewers=[server.jid("bob")])
    try:
        fleet.start()
        devices = set(fleet.jids())
        fleet.wait_all(r"enrollment: asked 2 ")
        wait_until(lambda: set(alice_seen.counts()) == devices and set(bob_seen.counts()) == devices, timeout=30,
                   what=lambda: f"requests from every device: alice {alice_seen.counts()}, bob {bob_seen.counts()}")

        # Bob refuses every device.
        for jid in devices:
            bob.run_sync(lambda jid=jid: bob.client.send_presence(pto=jid, ptype="unsubscribed"))
        fleet.wait_all(r"refused or cancelled our presence subscription")

        # Every agent is killed and started again: only the server's roster remembers.
        marks = fleet.marks()
        for agent in fleet:
            agent.kill()
            agent.start()
        fleet.wait_all(r"enrollment: asked 0; 1 pending, 1 refused", after=marks)

        # Alice accepts and asks back; the device approves her (an operator). What a device sends
        # her arrives in order, so by the time she sees its presence, any second request from
        # it would have arrived before.
        for jid in devices:
            alice.run_sync(lambda jid=jid: alice.client.send_presence(pto=jid, ptype="subscribed"))
            alice.run_sync(lambda jid=jid: alice.client.send_presence(pto=jid, ptype="subscribe"))
        wait_until(lambda: devices <= alice_seen.seen(), timeout=30,
                   what=lambda: f"presence of every device at alice: {sorted(alice_seen.seen())}")
        assert alice_seen.counts() == {jid: 1 for jid in devices}
        assert bob_seen.counts() == {jid: 1 for jid in devices}
        assert not bob_seen.seen() & devices
    finally:
        fleet.stop()
        alice.disconnect()
        bob.disconnect()


GROUPS_FILE = """[fleet]
{alice}=Alice
{device}={name}
"""


def shared_roster_server(server):
    """The server and the device account put in one server-side group with alice."""
    name = device_name(COUNT)
    device = server.jid(name)
    if server.name == "ejabberd":
        for command in (["srg_create", "fleet", server.domain, "fleet", "Kinglet fleet", "fleet"],
                        ["srg_user_add", "alice", server.domain, "fleet", server.domain],
                        ["srg_user_add", name, server.domain, "fleet", server.domain]):
            result = server.ctl(*command)
            assert result.returncode == 0, f"ejabberdctl {' '.join(command)}: {result.stdout}{result.stderr}"
        return server, None
    workdir = tempfile.mkdtemp(prefix="kinglet-groups-")
    groups = os.path.join(workdir, "groups.txt")
    with open(groups, "w") as f:
        f.write(GROUPS_FILE.format(alice=server.jid("alice"), device=device, name=name))
    own = start_server("prosody", workdir, extra_config=f'groups_file = "{groups}"', enabled_modules=("groups",))
    register_devices(own, COUNT + 1)
    return own, own


def test_a_server_side_group_needs_no_enrollment(server):
    target, own = shared_roster_server(server)
    alice = Peer(target, "alice", PASSWORDS["alice"])
    seen = Recorder(alice)
    alice.connect()
    agent = None
    try:
        name = device_name(COUNT)
        agent = Fleet(target, COUNT + 1, operators=[target.jid("alice")])[COUNT]
        agent.start()
        agent.wait_online()
        agent.wait_for_log(r"enrollment: asked 0; 1 granted")
        wait_until(lambda: target.jid(name) in seen.seen(), timeout=20, what="the device's presence at alice")
        assert seen.counts() == {}
    finally:
        if agent:
            agent.kill()
        alice.disconnect()
        if own:
            own.stop()
