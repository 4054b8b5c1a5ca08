"""The store-and-forward rig: a server, a TCP proxy that the test can close, cut or slow down,
the agent behind it sampling the simulated device at 20 Hz, and alice (an operator, slixmpp)
subscribed to the agent's node, recording every item. Used against Prosody
(test_store_forward.py) and ejabberd (test_interop_ejabberd.py)."""
import os
import re

from slixmpp.exceptions import IqError

from .agent import base_config, run_cli
from .items import PLUGINS, ItemRecorder
from .peers import Peer
from .tcp_proxy import TcpProxy
from .wait import wait_until

SENSORDATA = "urn:xmpp:iot:sensordata"


class Rig:
    """A server (Prosody or ejabberd), the proxy, the agent behind it, and alice subscribed to the
    agent's PEP node (or its pubsub node)."""

    def __init__(self, server, workdir, agent_factory, alice_password, store=None, publish=None, interval="50ms"):
        self.server, self.workdir, self.agent_factory = server, workdir, agent_factory
        self.alice_password = alice_password
        self.proxy = TcpProxy(server.c2s_port)
        self.config = base_config(server, workdir, port=self.proxy.port, reconnect_initial="200ms", reconnect_max="1s")
        self.config["device"]["interval"] = interval
        self.config["store"].update(store or {})
        if publish:
            self.config["publish"] = publish
        publish = publish or {}
        if publish.get("mode") == "pubsub":
            self.service = publish["service"]
            self.node = publish.get("node", f"{SENSORDATA}/{server.jid('sensor')}")
        else:
            self.service, self.node = server.jid("sensor"), publish.get("node", SENSORDATA)
        self.recorder = ItemRecorder(node=self.node)
        self.alice = None
        self.agent = None

    def start(self):
        self.agent = self.agent_factory(self.config).start()
        self.agent.wait_online()
        self.connect_alice(subscribe=True)
        self.recorder.wait_for_items(3)
        # Alice's subscription may take effect in the middle of a burst of publishes: what went
        # out before it never reaches her live. Until those are settled the agent may send them
        # again (after a cut, say), and she would see them first after newer ones. Wait.
        first = self.recorder.unique()[0].first
        wait_until(lambda: self.stats()["acknowledged"] >= first - 1, timeout=20, interval=0.2,
                   what=f"the readings before #{first} (alice's first item) to be settled")
        return self

    def connect_alice(self, subscribe=False):
        self.alice = Peer(self.server, "alice", self.alice_password, plugins=PLUGINS).connect()
        self.recorder.attach(self.alice)
        if subscribe:
            sensor = self.server.jid("sensor")
            self.alice.subscribe_to(sensor)  # the presence access model wants alice among sensor's contacts
            self.alice.wait_presence(lambda p: p["from"].bare == sensor and p["type"] in ("available", ""))
            self.subscribe(self.alice)

    def subscribe(self, peer):
        """Subscribes `peer` to the agent's node once it exists (its first publish creates it)."""
        pubsub = peer.client.plugin["xep_0060"]

        def subscribed():
            try:
                peer.run(pubsub.subscribe(self.service, self.node, timeout=10))
                return True
            except IqError as error:
                if error.condition != "item-not-found":
                    raise
                return False

        wait_until(subscribed, timeout=20, interval=0.2, what="the agent's node to exist")

    def go_offline(self):
        """The agent loses its link; the server keeps its session (resumable)."""
        mark = self.agent.mark()
        self.proxy.close()
        self.proxy.cut()
        self.agent.wait_for_log(r"INFO +session: offline", after=mark)
        return mark

    def stats(self):
        result = run_cli("buffer", "stats", "--config", self.agent.config_path)
        assert result.returncode == 0, result.stderr
        return parse_stats(result.stdout)

    def export(self, database=None, pending=False):
        source = ["--database", database] if database else ["--config", self.agent.config_path]
        args = ["buffer", "export", *source, "--format", "jsonl"] + (["--pending"] if pending else [])
        result = run_cli(*args)
        assert result.returncode == 0, result.stderr
        return result.stdout.splitlines()

    def stop(self):
        if self.alice:
            self.alice.disconnect()
        self.proxy.stop()


def parse_stats(text):
    """`kinglet buffer stats` -> {'pending': 12, 'dropped': 3, 'last': 345, 'acknowledged': 300}."""
    def number(label, pattern=r"#?(\d+)"):
        match = re.search(rf"^{label}\s+{pattern}", text, re.M)
        assert match, f"no '{label}' in:\n{text}"
        return int(match.group(1))
    return {"pending": number("pending"), "dropped": number("dropped"), "last": number("last sequence"),
            "acknowledged": number("acknowledged", r"through #(\d+)")}


def backlog_through(agent, after=0, timeout=30):
    line = agent.wait_for_log(r"publishing the backlog: readings up to #(\d+)", after=after, timeout=timeout)
    return int(re.search(r"#(\d+)", line).group(1))


def flushed(r, after, timeout=90):
    """Waits until the agent has published its backlog and alice has everything it had stored."""
    r.agent.wait_for_log(r"INFO +publish: backlog published", after=after, timeout=timeout)
    last = r.stats()["last"]
    try:
        r.recorder.wait_for_sequence(last, timeout=timeout)
    finally:
        r.recorder.dump(os.path.join(r.workdir, "items.txt"))  # kept with the logs when a test fails
    return last


def assert_in_order(recorder, arrivals=None):
    """The first arrival of each item (among `arrivals`, default all) came in sequence order."""
    firsts = [item.first for item in recorder.unique(arrivals)]
    wrong = next((i for i in range(1, len(firsts)) if firsts[i] < firsts[i - 1]), None)
    assert wrong is None, f"items first arrived out of order: ... {firsts[max(0, wrong - 5):wrong + 5]} ..."
