#!/usr/bin/env python3
"""Captures real traffic into the fuzz corpora (files captured-*): a private Prosody, the agent
with the simulated device, and slixmpp clients doing what the integration tests do — alice
(operator), bob (viewer) and mallory (stranger) read (momentary, everything, history), set
controls by IQ and by message, run ad-hoc commands, ask disco, version, ping and last activity,
chat, and alice subscribes to the agent's PEP node. Written:

- xml-stream/captured-<user>: the decrypted bytes Prosody sent that client, from its last stream
  header on, cut where they arrived (the first cuts that fit the seed format);
- iot-payloads/captured-<n>: each stanza a client received (readout data, forms, items, errors);
- router/captured-<user>: what each client sent the agent, as router records from its role.

    python3 Tests/Fuzz/capture_traffic.py [--binary .build/debug/kinglet]
"""
import argparse
import hashlib
import logging
import os
import shutil
import struct
import sys
import tempfile
import threading
import time

FUZZ = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(FUZZ, "..", "Integration"))

from conftest import PASSWORDS, start_prosody  # noqa: E402
from harness import iot  # noqa: E402
from harness.agent import REPO, Agent, base_config  # noqa: E402
from harness.items import PLUGINS  # noqa: E402
from harness.peers import Peer  # noqa: E402
from harness.wait import wait_until  # noqa: E402

CORPUS = os.path.join(FUZZ, "Corpus")
ROLE = {"alice": 0, "bob": 1, "mallory": 2}
COMMANDS = "http://jabber.org/protocol/commands"


class Tap:
    """Records what one client receives (raw bytes and stanzas) and what it sends the agent."""

    def __init__(self, peer, agent_jid):
        self.lock = threading.Lock()
        self.raw = []
        self.received = []
        self.sent = []
        client = peer.client
        original = client.data_received

        def data_received(data):
            with self.lock:
                self.raw.append(data if isinstance(data, bytes) else data.encode())
            original(data)

        client.data_received = data_received

        def incoming(stanza):
            with self.lock:
                self.received.append(str(stanza))
            return stanza

        def outgoing(stanza):
            if str(stanza["to"]).startswith(agent_jid.split("/")[0]):
                with self.lock:
                    self.sent.append(str(stanza))
            return stanza

        peer.run_sync(lambda: (client.add_filter("in", incoming), client.add_filter("out", outgoing)))


def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def attempt(what, action):
    try:
        action()
    except Exception as error:  # a refusal is traffic too
        logging.info("%s: %s", what, error)


def exercise(peer, jid, user):
    xep50, xep30 = peer.client.plugin["xep_0050"], peer.client.plugin["xep_0030"]
    attempt("readout", lambda: iot.read(peer, jid, flags={"momentary": "true"}, timeout=5))
    attempt("readout all", lambda: iot.read(peer, jid, flags={"all": "true"}, timeout=5))
    attempt("history", lambda: iot.read(peer, jid, flags={"historical": "true"}, fields=["temperature"], timeout=5))
    attempt("set", lambda: iot.set_request(peer, jid, [("relay", "boolean", "true"), ("dimmer", "int", "40")], timeout=5))
    attempt("bad set", lambda: iot.set_request(peer, jid, [("dimmer", "int", "150")], timeout=5))
    attempt("set by message", lambda: iot.set_command(peer, jid, [("mode", "string", "manual")]))
    attempt("disco info", lambda: peer.run(xep30.get_info(jid=jid), timeout=10))
    attempt("disco items", lambda: peer.run(xep30.get_items(jid=jid), timeout=10))
    attempt("commands", lambda: peer.run(xep50.get_commands(jid), timeout=10))
    attempt("read-sensors", lambda: peer.run(xep50.send_command(jid, "read-sensors", action="execute"), timeout=10))
    attempt("device-info", lambda: peer.run(xep50.send_command(jid, "device-info", action="execute"), timeout=10))
    attempt("version", lambda: peer.run(peer.client.plugin["xep_0092"].get_version(jid), timeout=10))
    attempt("ping", lambda: peer.run(peer.client.plugin["xep_0199"].ping(jid, timeout=5), timeout=10))
    attempt("last", lambda: peer.run(peer.client.plugin["xep_0012"].get_last_activity(jid), timeout=10))
    for body in ("help", "status", "read temperature", "set relay off", "xyzzy"):
        peer.run_sync(lambda body=body: peer.client.send_message(mto=jid, mbody=body, mtype="chat"))
    time.sleep(1)  # the answers to the chat lines (no reply to wait for in the protocol)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(REPO, ".build", "debug", "kinglet"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    workdir = tempfile.mkdtemp(prefix="kinglet-capture-")
    server = start_prosody(workdir)
    config = base_config(server, workdir)
    config["access"]["viewers"] = [server.jid("bob")]
    config["store"]["history_max_readings"] = 1000
    agent = Agent(workdir, config, binary=args.binary).start()
    peers, taps = {}, {}
    try:
        agent.wait_online()
        jid = server.jid("sensor") + "/kinglet"
        for user in ("alice", "bob", "mallory"):
            plugins = PLUGINS + iot.PLUGINS + ("xep_0092", "xep_0012")
            peers[user] = Peer(server, user, PASSWORDS[user], plugins=plugins, resource="capture")
            taps[user] = Tap(peers[user], jid)
            peers[user].connect()
        alice = peers["alice"]
        alice.subscribe_to(server.jid("sensor"))
        wait_until(lambda: any("urn:xmpp:iot:sensordata" in s for s in taps["alice"].received) or
                   attempt("subscribe", lambda: alice.run(alice.client.plugin["xep_0060"].subscribe(
                       server.jid("sensor"), "urn:xmpp:iot:sensordata", timeout=5))), timeout=30, interval=1)
        for user in ("alice", "bob", "mallory"):
            exercise(peers[user], jid, user)
        time.sleep(2)
    finally:
        for peer in peers.values():
            peer.disconnect()
        agent.stop()
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    seen = set()
    for user, tap in taps.items():
        stream = b"".join(tap.raw)
        start = stream.rfind(b"<stream:stream")
        stream = stream[max(start, 0):]
        chunks = [len(c) for c in tap.raw if len(c) < 256][:15]
        write("xml-stream", f"captured-{user}", bytes([len(chunks)]) + bytes(chunks) + stream)
        records = b"".join(bytes([ROLE[user]]) + struct.pack(">H", len(s.encode())) + s.encode() for s in tap.sent)
        write("router", f"captured-{user}", records)
        for stanza in tap.received:
            digest = hashlib.sha1(stanza.encode()).hexdigest()[:12]
            if digest not in seen and ("urn:xmpp:iot" in stanza or "jabber:x:data" in stanza or "disco#" in stanza
                                        or "pubsub" in stanza or "type=\"error\"" in stanza):
                seen.add(digest)
                write("iot-payloads", f"captured-{digest}", stanza.encode())
    print(f"captured: {sum(len(t.raw) for t in taps.values())} reads, {sum(len(t.sent) for t in taps.values())} stanzas "
          f"to the agent, {len(seen)} payload stanzas")


if __name__ == "__main__":
    main()
