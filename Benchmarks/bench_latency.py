#!/usr/bin/env python3
"""Readout and control latency of the real kinglet binary through a loopback Prosody, run by
`make bench`.

An operator client (slixmpp, no IoT plugins: raw stanzas and one message handler) sends one
request at a time and times, with a monotonic clock in the client:

- readout: XEP-0323 `<req momentary='true'/>` → the `<accepted/>` IQ result, and → the last
  `<fields done='true'/>` message (the whole answer);
- control: XEP-0325 `<set><boolean name='relay'/></set>` → `<setResponse/>` (the relay is toggled
  each time, so every set really writes).

The figures include both hops through Prosody and slixmpp's own parsing of the answer, so they
are an upper bound on what the agent itself adds. Each figure is printed as `name  value unit`."""
import argparse
import asyncio
import os
import tempfile
import time
import xml.etree.ElementTree as ET

from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

from figures import REPO, figure  # noqa: E402  (also puts the test harness on the path)

from conftest import PASSWORDS, start_prosody  # noqa: E402
from harness.agent import Agent, base_config  # noqa: E402
from harness.peers import Peer  # noqa: E402

SENSORDATA = "urn:xmpp:iot:sensordata"
CONTROL = "urn:xmpp:iot:control"


def percentile(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Client:
    """Sends requests from the peer's loop and resolves futures when the answers arrive."""

    def __init__(self, peer, device):
        self.peer = peer
        self.device = device
        self.done = {}
        # slixmpp's "message" event fires only for messages with a body: match the payload instead.
        matcher = MatchXPath(f"{{jabber:client}}message/{{{SENSORDATA}}}fields")
        peer.run_sync(lambda: peer.client.register_handler(Callback("readout fields", matcher, self._message)))

    def _message(self, message):
        fields = message.xml.find(f"{{{SENSORDATA}}}fields")
        if fields is not None and fields.get("done") == "true":
            future = self.done.pop(fields.get("seqnr"), None)
            if future and not future.done():
                future.set_result(time.perf_counter_ns())

    def _iq(self, kind, payload):
        iq = self.peer.client.Iq()
        iq["type"] = kind
        iq["to"] = self.device
        iq.append(ET.fromstring(payload))
        return iq

    async def readout(self, seqnr):
        future = asyncio.get_running_loop().create_future()
        self.done[str(seqnr)] = future
        iq = self._iq("get", f"<req xmlns='{SENSORDATA}' seqnr='{seqnr}' momentary='true'/>")
        start = time.perf_counter_ns()
        await iq.send(timeout=10)
        accepted = time.perf_counter_ns()
        finished = await asyncio.wait_for(future, timeout=10)
        return (accepted - start) / 1e6, (finished - start) / 1e6

    async def control(self, value):
        iq = self._iq("set", f"<set xmlns='{CONTROL}'><boolean name='relay' value='{value}'/></set>")
        start = time.perf_counter_ns()
        reply = await iq.send(timeout=10)
        end = time.perf_counter_ns()
        assert reply.xml.find(f"{{{CONTROL}}}setResponse") is not None, reply
        return (end - start) / 1e6

    async def run(self, count, warmup):
        accepted, complete, control = [], [], []
        for i in range(warmup + count):
            a, c = await self.readout(i + 1)
            s = await self.control("true" if i % 2 == 0 else "false")
            if i >= warmup:
                accepted.append(a)
                complete.append(c)
                control.append(s)
        return accepted, complete, control


def report(name, samples, budget=None):
    p50, p99 = percentile(samples, 50), percentile(samples, 99)
    note = f" (budget: p99 < {budget} ms)" if budget else ""
    figure(f"{name}.p50", round(p50, 3), "ms")
    figure(f"{name}.p99", round(p99, 3), "ms" + note)
    figure(f"{name}.max", round(max(samples), 3), f"ms; {sum(1 for v in samples if v > 10)} of {len(samples)} over 10 ms, "
           f"{sum(1 for v in samples if v > 100)} over 100 ms")


# Prosody leaves Nagle's algorithm on by default: the second of two small stanzas written
# back to back (the IQ result, then the data message) can wait ~40 ms for the peer's delayed
# ACK. That is the server's setting, not the agent's (which sets TCP_NODELAY), so both are shown.
#
# Every control set toggles the relay, and each toggle is a reading the agent publishes as its own
# item: once a second (the outbox's commit_interval) it sends the second's worth at once, a
# hundred or more publishes, and Prosody persists them one after another. A request that reaches
# Prosody behind such a burst waits for it: the few slow requests in a thousand. The third run
# leaves publishing off to show it; the first is what an operator sees from a publishing device.
SERVERS = [("", "Prosody with network_settings = { nagle = false }", "network_settings = { nagle = false }", None),
           (".stock_prosody", "Prosody as installed (Nagle on)", "", None),
           (".publish_off", "Prosody with nagle = false, the agent with [publish] mode = \"off\"",
            "network_settings = { nagle = false }", "off")]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(REPO, ".build", "release", "kinglet"))
    parser.add_argument("--count", type=int, default=1000, help="requests of each kind that are measured")
    parser.add_argument("--warmup", type=int, default=50)
    args = parser.parse_args()
    for suffix, label, extra, publish in SERVERS:
        print(f"# {label}", flush=True)
        measure(args, suffix, extra, publish)


def measure(args, suffix, extra_config, publish_mode):
    with tempfile.TemporaryDirectory(prefix="kinglet-latency-") as workdir:
        prosody = start_prosody(workdir, extra_config=extra_config)
        agent = None
        peer = None
        try:
            config = base_config(prosody, workdir)
            config["log"] = {"level": "warning"}
            if publish_mode:
                config["publish"] = {"mode": publish_mode}
            agent = Agent(workdir, config, name="latency", binary=os.path.abspath(args.binary)).start()
            peer = Peer(prosody, "alice", PASSWORDS["alice"]).connect()
            device = prosody.jid("sensor") + "/kinglet"
            wait_for_device(peer, device)
            client = Client(peer, device)
            accepted, complete, control = peer.run(client.run(args.count, args.warmup), timeout=600)
            figure(f"readout{suffix}.requests", len(complete), f"sequential, after {args.warmup} warm-up")
            report(f"readout{suffix}.accepted_latency", accepted)
            report(f"readout{suffix}.complete_latency", complete, budget=5)
            report(f"control{suffix}.set_latency", control)
        finally:
            if peer:
                peer.disconnect()
            if agent:
                agent.stop()
            prosody.stop()


def wait_for_device(peer, device, timeout=30):
    """Pings the device until it answers: it is online and routing stanzas."""
    async def ping():
        deadline = time.monotonic() + timeout
        while True:
            try:
                await peer.client.plugin["xep_0199"].send_ping(device, timeout=2)
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)
    peer.run(ping(), timeout=timeout + 5)


if __name__ == "__main__":
    main()
