"""Issue 10, the fleet room (XEP-0045) on each server's MUC service: every device in one occupant
list with its status line and caps; chat commands through the room judged by the sender's real
JID; a room that hides real JIDs refused clearly; a nick conflict, a kick and a destroyed room
handled without a crash or a loop."""
import queue
import tempfile
import threading

import pytest

from conftest import PASSWORDS, start_server
from harness.fleet import Fleet, device_name, register_devices
from harness.peers import Peer
from harness.wait import wait_until

COUNT = 4
CAPS = "{http://jabber.org/protocol/caps}c"
CAPS_NODE = "urn:kinglet"


@pytest.fixture(scope="module", params=["prosody", "ejabberd"])
def server(request):
    workdir = tempfile.mkdtemp(prefix=f"kinglet-room-{request.param}-")
    srv = start_server(request.param, workdir)
    register_devices(srv, COUNT + 1)
    yield srv
    srv.stop()


class RoomPeer:
    """A slixmpp client in a room: occupants by nick (their last presence), group messages,
    private messages from occupants."""

    def __init__(self, server, user, room, nick):
        self.room, self.nick = room, nick
        self.peer = Peer(server, user, PASSWORDS[user], plugins=("xep_0045",))
        self.lock = threading.Lock()
        self.occupants = {}
        self.group = queue.Queue()
        self.peer.run_sync(self._attach)
        self.peer.connect()
        self.peer.run(self.peer.client.plugin["xep_0045"].join_muc_wait(room, nick, maxstanzas=0))

    def _attach(self):
        client = self.peer.client
        client.add_event_handler("groupchat_presence", self._presence)
        client.add_event_handler("groupchat_message", lambda m: self.group.put(m))

    def _presence(self, presence):
        with self.lock:
            nick = presence["from"].resource
            if presence["type"] == "unavailable":
                self.occupants.pop(nick, None)
            else:
                self.occupants[nick] = presence

    def occupant(self, nick):
        with self.lock:
            return self.occupants.get(nick)

    def say(self, body):
        self.peer.run_sync(lambda: self.peer.client.send_message(mto=self.room, mbody=body, mtype="groupchat"))

    def tell(self, nick, body):
        self.peer.run_sync(lambda: self.peer.client.send_message(mto=f"{self.room}/{nick}", mbody=body, mtype="chat"))

    def private_reply(self, nick, timeout=15):
        sender = f"{self.room}/{nick}"
        return self.peer.wait_message(lambda m: str(m["from"]) == sender and m["type"] == "chat", timeout=timeout)

    def group_reply(self, predicate, timeout=15):
        seen = []

        def check():
            while True:
                try:
                    m = self.group.get_nowait()
                except queue.Empty:
                    return None
                seen.append(m)
                if predicate(m):
                    return m
        found = wait_until(check, timeout=timeout, what="a group message")
        return found, seen

    def leave(self):
        self.peer.disconnect()


def room_jid(server, name):
    return f"{name}@conference.{server.domain}"


def test_fleet_room(server):
    room = room_jid(server, "greenhouse")
    alice = RoomPeer(server, "alice", room, "alice")
    bob = RoomPeer(server, "bob", room, device_name(2))  # takes sensor-2's nick first
    fleet = Fleet(server, COUNT, operators=[server.jid("alice")], fleet={"room": room})
    try:
        fleet.start()
        fleet[2].wait_for_log(r"the nick sensor-2 is in use in .*; trying sensor-2-2")
        fleet.wait_all(r"room: joined ")
        nicks = ["sensor-0", "sensor-1", "sensor-2-2", "sensor-3"]
        wait_until(lambda: all(alice.occupant(n) for n in nicks), timeout=20,
                   what=lambda: f"every device in alice's occupant list: {sorted(alice.occupants)}")
        for i, nick in enumerate(nicks):
            p = alice.occupant(nick)
            assert p["status"].endswith("3 sensors"), p["status"]
            assert p.xml.find(CAPS).get("node") == CAPS_NODE
            assert p["muc"]["jid"].bare == server.jid(device_name(i))

        # Private messages through the room: an operator is answered, a stranger refused.
        alice.tell("sensor-1", "status")
        assert "sensors" in alice.private_reply("sensor-1")["body"]
        mallory = RoomPeer(server, "mallory", room, "mallory")
        mallory.tell("sensor-1", "status")
        assert mallory.private_reply("sensor-1")["body"].startswith("not authorized: ask an operator")
        fleet[1].wait_for_log(r"access: refused room command from " + server.jid("mallory"))

        # A group message addressed to one device is answered by that device, in the room.
        alice.say("sensor-3: read temperature")
        answer, _ = alice.group_reply(lambda m: m["from"].resource == "sensor-3")
        assert answer["body"].startswith("alice: temperature: ")
        alice.say("sensor-0: status")
        _, seen = alice.group_reply(lambda m: m["from"].resource == "sensor-0")
        others = [m for m in seen if m["from"].resource not in ("sensor-0", "sensor-3", "alice")]
        assert not others, [str(m) for m in others]

        # Kicked: back in after the back-off, no loop.
        mark = fleet[0].mark()
        alice.peer.run(alice.peer.client.plugin["xep_0045"].set_role(room, "sensor-0", "none", reason="test"))
        fleet[0].wait_for_log(r"kicked from .*; joining again in", after=mark)
        fleet[0].wait_for_log(r"room: joined ", after=mark, timeout=20)

        # Destroyed: every device says so and keeps running.
        marks = fleet.marks()
        alice.peer.run(alice.peer.client.plugin["xep_0045"].destroy(room, reason="moving"))
        fleet.wait_all(r"ERROR +room: the room .* was destroyed: moving; trying again in", after=marks)
        assert not any(agent.exited() for agent in fleet)
        mallory.leave()
    finally:
        fleet.stop()
        alice.leave()
        bob.leave()


def test_a_room_that_hides_real_jids_gets_a_clear_refusal(server):
    room = room_jid(server, "hidden")
    alice = RoomPeer(server, "alice", room, "alice")
    form = alice.peer.run(alice.peer.client.plugin["xep_0045"].get_room_config(room))
    form.field["muc#roomconfig_whois"].set_value("moderators")
    form["type"] = "submit"
    alice.peer.run(alice.peer.client.plugin["xep_0045"].set_room_config(room, form))
    agent = Fleet(server, COUNT + 1, operators=[server.jid("alice")], fleet={"room": room})[COUNT]
    try:
        agent.start()
        agent.wait_for_log(r"room: joined ")
        nick = device_name(COUNT)
        wait_until(lambda: alice.occupant(nick), timeout=20, what="the device in the room")
        alice.tell(nick, "status")
        reply = alice.private_reply(nick)["body"]
        assert reply.startswith("not authorized: this room hides your real JID"), reply
        agent.wait_for_log(r"the room does not show real JIDs")
    finally:
        agent.kill()
        alice.leave()
