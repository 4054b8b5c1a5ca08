"""Issue 5: nothing lost. The agent's outbox, XEP-0198 and PubSub publishing against a real
Prosody, with a slixmpp subscriber (alice, an operator) that records every item.

Each test runs the simulated device at 20 Hz (`interval = "50ms"`) behind a TCP proxy
(harness/tcp_proxy.py) that the test can close, cut or slow down, so it decides exactly when
the agent is online. Alice connects straight to Prosody."""
import os
import re
import signal
import subprocess
import time

import pytest
from slixmpp.exceptions import IqError

from conftest import PASSWORDS, start_prosody
from harness.agent import base_config, run_cli
from harness.items import PLUGINS, ItemRecorder, check_exactly_once
from harness.peers import Peer
from harness.tcp_proxy import TcpProxy
from harness.wait import wait_until

SENSORDATA = "urn:xmpp:iot:sensordata"


class Rig:
    """Prosody, the proxy, the agent behind it, and alice subscribed to the agent's PEP node."""

    def __init__(self, prosody, workdir, agent_factory, store=None, publish=None, interval="50ms"):
        self.prosody, self.workdir, self.agent_factory = prosody, workdir, agent_factory
        self.proxy = TcpProxy(prosody.c2s_port)
        self.config = base_config(prosody, workdir, port=self.proxy.port, reconnect_initial="200ms", reconnect_max="1s")
        self.config["device"]["interval"] = interval
        self.config["store"].update(store or {})
        if publish:
            self.config["publish"] = publish
        self.recorder = ItemRecorder(node=(publish or {}).get("node", SENSORDATA))
        self.alice = None
        self.agent = None

    def start(self):
        self.agent = self.agent_factory(self.config).start()
        self.agent.wait_online()
        self.connect_alice(subscribe=True)
        self.recorder.wait_for_items(3)
        return self

    def connect_alice(self, subscribe=False):
        self.alice = Peer(self.prosody, "alice", PASSWORDS["alice"], plugins=PLUGINS).connect()
        self.recorder.attach(self.alice)
        if subscribe:
            sensor = self.prosody.jid("sensor")
            self.alice.subscribe_to(sensor)  # the presence access model wants alice among sensor's contacts
            self.alice.wait_presence(lambda p: p["from"].bare == sensor and p["type"] in ("available", ""))
            pubsub = self.alice.client.plugin["xep_0060"]

            def subscribed():  # the node appears with the agent's first publish
                try:
                    self.alice.run(pubsub.subscribe(sensor, SENSORDATA, timeout=10))
                    return True
                except IqError as error:
                    if error.condition != "item-not-found":
                        raise
                    return False

            wait_until(subscribed, timeout=20, interval=0.2, what="the agent's PEP node to exist")

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


@pytest.fixture
def rig(prosody, workdir, agent_factory):
    rigs = []

    def make(**options):
        r = Rig(prosody, workdir, agent_factory, **options)
        rigs.append(r)
        return r.start()

    yield make
    for r in rigs:
        r.stop()


def test_live_items_carry_the_readings(rig):
    r = rig()
    items = r.recorder.wait_for_items(10) and r.recorder.snapshot()
    check_exactly_once(items)
    assert all(item.delay is None for item in r.recorder.unique()[1:]), "live items carry no <delay/>"
    assert r.stats()["pending"] < 100
