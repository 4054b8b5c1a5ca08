"""Floods against the agent, and what it looks like from outside while they run.

`RawClient` is a minimal XMPP client on asyncio streams (STARTTLS, SASL PLAIN, bind) that writes
stanzas as fast as the server reads them (`drain()` returns when the socket takes more) and
reads and discards what comes back, counting it. The flooders are raw on purpose: a client
library paces itself, a hostile consumer does not.

`Flood` runs the floods for a while and measures, at the same time: the agent's RssAnon (every
50 ms), an operator's XEP-0199 pings to the device (one every 250 ms, each timed on its own, so
a ping stuck behind a backlog does not hide the ones after it), readings arriving at the
operator's PEP subscription, and the agent's log lines."""
import asyncio
import base64
import itertools
import ssl
import threading
import time
from dataclasses import dataclass, field

from .items import PLUGINS, ItemRecorder
from .peers import Peer
from .wait import wait_until

SENSORDATA = "urn:xmpp:iot:sensordata"


def historical_request(seqnr, to):
    """The 191-byte XEP-0323 request for all history (answered with every stored reading)."""
    return (f"<iq type='get' id='h{seqnr}' to='{to}'><req xmlns='{SENSORDATA}' seqnr='{seqnr}' "
            f"from='1900-01-01T00:00:00Z' to='2100-01-01T00:00:00Z'/></iq>")


class RawClient:
    """One account's stream, driven from an asyncio loop."""

    def __init__(self, server, user, password, resource="flood"):
        self.server, self.user, self.password, self.resource = server, user, password, resource
        self.reader = self.writer = None
        self.buffer = b""
        self.received_bytes = 0
        self.counts = {"iq-result": 0, "iq-error": 0, "message": 0, "resource-constraint": 0, "forbidden": 0}
        self.sent = 0

    async def connect(self):
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.server.c2s_port)
        await self._open_stream()
        await self._expect(b"</stream:features>")
        self.writer.write(b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        await self._expect(b"<proceed")
        context = ssl.create_default_context(cafile=self.server.pki.ca_file)
        await self.writer.start_tls(context, server_hostname=self.server.domain)
        self.buffer = b""
        await self._open_stream()
        await self._expect(b"</stream:features>")
        token = base64.b64encode(f"\0{self.user}\0{self.password}".encode()).decode()
        self.writer.write(f"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>{token}</auth>".encode())
        await self._expect(b"<success")
        self.buffer = b""
        await self._open_stream()
        await self._expect(b"</stream:features>")
        self.writer.write(f"<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
                          f"<resource>{self.resource}</resource></bind></iq>".encode())
        await self._expect(b"</iq>")
        self.buffer = b""
        return self

    async def _open_stream(self):
        self.writer.write(f"<?xml version='1.0'?><stream:stream to='{self.server.domain}' version='1.0' "
                          "xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>".encode())
        await self.writer.drain()

    async def _expect(self, marker, timeout=20):
        async def read():
            while marker not in self.buffer:
                chunk = await self.reader.read(65536)
                if not chunk:
                    raise AssertionError(f"{self.user}: stream closed waiting for {marker!r}: {self.buffer[-300:]!r}")
                self.buffer += chunk
        await asyncio.wait_for(read(), timeout)

    async def send(self, data):
        """Writes `data`; returns once the socket has taken it (the server reads it)."""
        self.writer.write(data.encode() if isinstance(data, str) else data)
        await self.writer.drain()

    async def discard_replies(self):
        """Reads until the stream ends, counting what arrives (roughly: a marker split across two
        reads is missed, which is fine for figures of thousands)."""
        tail = b""
        while True:
            try:
                chunk = await self.reader.read(1 << 16)
            except (ConnectionError, ssl.SSLError):
                return
            if not chunk:
                return
            self.received_bytes += len(chunk)
            text = tail + chunk
            self.counts["iq-result"] += text.count(b"type='result'")
            self.counts["iq-error"] += text.count(b"type='error'")
            self.counts["message"] += text.count(b"<message")
            self.counts["resource-constraint"] += text.count(b"<resource-constraint")
            self.counts["forbidden"] += text.count(b"<forbidden")
            tail = b""

    async def flood(self, make_stanza, until, batch=32):
        """Sends `make_stanza(n)` for n = 1, 2, ... until the monotonic time `until`."""
        numbers = itertools.count(1)
        while time.monotonic() < until:
            chunk = "".join(make_stanza(next(numbers)) for _ in range(batch))
            try:
                await asyncio.wait_for(self.send(chunk), timeout=max(0.05, until - time.monotonic()))
            except asyncio.TimeoutError:
                return  # the server stopped taking our writes; the flood is over anyway
            self.sent += batch

    def close(self):
        if self.writer:
            self.writer.close()


@dataclass
class Figures:
    seconds: float
    rss_start_kib: int = 0
    rss_peak_kib: int = 0
    rss_after_kib: int = 0  # a few seconds after the flood stopped
    pings_sent: int = 0
    ping_rtts_ms: list = field(default_factory=list)  # answered pings
    pings_late: int = 0  # not answered within 1 s (or never)
    readings_during: int = 0  # readings (not items) that reached the subscriber during the flood
    items_during: int = 0
    log_lines: int = 0
    viewer: dict = field(default_factory=dict)
    stranger: dict = field(default_factory=dict)

    def percentile(self, p):
        """Over every ping sent: an unanswered ping counts as longer than any answered one."""
        samples = sorted(self.ping_rtts_ms) + [float("inf")] * (self.pings_sent - len(self.ping_rtts_ms))
        if not samples:
            return float("nan")
        return samples[min(len(samples) - 1, int(round(p / 100 * (len(samples) - 1))))]

    @property
    def rss_peak_mib(self):
        return self.rss_peak_kib / 1024

    @property
    def readings_per_second(self):
        return self.readings_during / self.seconds

    def lines(self, prefix="flood"):
        """`name value unit` tuples for printing."""
        rtt = lambda p: round(self.percentile(p), 1)  # noqa: E731
        return [
            (f"{prefix}.rss_anon.start", round(self.rss_start_kib / 1024, 2), "MiB"),
            (f"{prefix}.rss_anon.peak", round(self.rss_peak_mib, 2), "MiB (budget: <= 16 MiB)"),
            (f"{prefix}.rss_anon.after", round(self.rss_after_kib / 1024, 2), "MiB, 5 s after the flood"),
            (f"{prefix}.operator_ping.p50", rtt(50), "ms"),
            (f"{prefix}.operator_ping.p99", rtt(99), "ms (budget: <= 1000 ms)"),
            (f"{prefix}.operator_ping.late", self.pings_late, f"of {self.pings_sent} not answered within 1 s"),
            (f"{prefix}.published.rate", round(self.readings_per_second, 1), "readings/s reaching a subscriber"),
            (f"{prefix}.log_lines", self.log_lines, "lines at level info (budget: < 2000)"),
            (f"{prefix}.viewer.sent", self.viewer.get("sent", 0), "historical requests written"),
            (f"{prefix}.viewer.answers", self.viewer.get("message", 0), "readout messages received"),
            (f"{prefix}.viewer.refused", self.viewer.get("resource-constraint", 0), "resource-constraint errors received"),
            (f"{prefix}.stranger.sent", self.stranger.get("sent", 0), "requests written"),
            (f"{prefix}.stranger.refused", self.stranger.get("forbidden", 0), "forbidden errors received"),
        ]


def flood_server(workdir, passwords, client_rate=None):
    """A private Prosody for a flood. With `client_rate` (`"100kb/s"`), mod_limits holds every
    client but the device to that rate, as a production server's limits do; without it the
    flooders go as fast as Prosody itself can take them (then Prosody, one Lua thread, is
    what saturates first, and its own queues add to every round trip through it)."""
    from .prosody import Prosody
    if client_rate:
        server = Prosody(workdir, enabled_modules=("limits",), extra_config='unlimited_jids = { "sensor@kinglet.test" }')
        with open(server.config) as f:
            text = f.read()
        with open(server.config, "w") as f:
            f.write(text.replace('rate = "10mb/s"', f'rate = "{client_rate}"'))
    else:
        server = Prosody(workdir, extra_config="network_settings = { nagle = false }")
    for user, password in passwords.items():
        server.register(user, password)
    server.start()
    return server


def rss_anon_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    return 0


class Flood:
    """The scenario of the flow-control tests and `make bench`: a viewer flooding historical
    readouts and a stranger flooding readout requests, while an operator pings and subscribes."""

    def __init__(self, server, agent, passwords, viewer="bob", stranger="mallory", operator="alice"):
        self.server, self.agent, self.passwords = server, agent, passwords
        self.viewer, self.stranger, self.operator = viewer, stranger, operator
        self.device = server.jid("sensor") + "/kinglet"

    def subscribe_operator(self):
        """The operator as a slixmpp peer, subscribed to the device's PEP node; returns (peer, recorder)."""
        peer = Peer(self.server, self.operator, self.passwords[self.operator], plugins=PLUGINS).connect()
        recorder = ItemRecorder().attach(peer)
        sensor = self.server.jid("sensor")
        peer.subscribe_to(sensor)
        peer.wait_presence(lambda p: p["from"].bare == sensor and p["type"] in ("available", ""))
        pubsub = peer.client.plugin["xep_0060"]

        def subscribed():
            try:
                peer.run(pubsub.subscribe(sensor, SENSORDATA, timeout=10))
                return True
            except Exception:
                return False

        wait_until(subscribed, timeout=30, interval=0.3, what="the device's node to exist")
        recorder.wait_for_items(2, timeout=30)
        return peer, recorder

    def run(self, seconds=40.0, viewer=True, stranger=True, settle=5.0):
        peer, recorder = self.subscribe_operator()
        try:
            return self._measure(peer, recorder, seconds, viewer, stranger, settle)
        finally:
            peer.disconnect()

    def _measure(self, peer, recorder, seconds, viewer, stranger, settle):
        figures = Figures(seconds=seconds)
        pid = self.agent.process.pid
        figures.rss_start_kib = rss_anon_kib(pid)
        stop_sampling = threading.Event()

        def sample():
            while not stop_sampling.is_set():
                try:
                    figures.rss_peak_kib = max(figures.rss_peak_kib, rss_anon_kib(pid))
                except (FileNotFoundError, ProcessLookupError):
                    return
                stop_sampling.wait(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        loop = asyncio.new_event_loop()
        flooders = threading.Thread(target=loop.run_forever, daemon=True)
        flooders.start()
        clients = []
        try:
            for user, wanted in ((self.viewer, viewer), (self.stranger, stranger)):
                if wanted:
                    client = asyncio.run_coroutine_threadsafe(
                        RawClient(self.server, user, self.passwords[user]).connect(), loop).result(30)
                    clients.append(client)
            mark = self.agent.mark()
            start = time.monotonic()
            until = start + seconds
            wall_start = time.time()
            work = []
            for client in clients:
                work.append(asyncio.run_coroutine_threadsafe(client.discard_replies(), loop))
                work.append(asyncio.run_coroutine_threadsafe(
                    client.flood(lambda n: historical_request(n, self.device), until), loop))
            rtts, sent = peer.run(self._pings(peer, until), timeout=seconds + 60)
            wall_end = time.time()
            figures.log_lines = len(self.agent.log()) - mark
            figures.pings_sent = sent
            figures.ping_rtts_ms = [r for r in rtts if r is not None]
            figures.pings_late = sum(1 for r in rtts if r is None or r > 1000)
            during = [i for i in recorder.arrivals if wall_start <= i.received <= wall_end]
            figures.items_during = len({i.id for i in during})
            figures.readings_during = sum(i.last - i.first + 1 for i in {i.id: i for i in during}.values())
            for client in clients:
                client.close()
            time.sleep(settle)  # the measurement window after the flood: does memory come back down?
            figures.rss_after_kib = rss_anon_kib(pid)
            for client, key in zip(clients, [k for k, w in (("viewer", viewer), ("stranger", stranger)) if w]):
                setattr(figures, key, dict(client.counts, sent=client.sent))
            return figures
        finally:
            stop_sampling.set()
            loop.call_soon_threadsafe(loop.stop)
            flooders.join(timeout=5)

    async def _pings(self, peer, until, every=0.25, timeout=30.0):
        """Pings the device every `every` seconds until `until`, each on its own; returns each
        ping's round trip in ms (None: no answer within `timeout`) and how many were sent."""
        ping = peer.client.plugin["xep_0199"]

        async def one():
            start = time.monotonic()
            try:
                await ping.send_ping(self.device, timeout=timeout)
            except Exception:
                return None
            return (time.monotonic() - start) * 1000

        tasks = []
        while time.monotonic() < until:
            tasks.append(asyncio.ensure_future(one()))
            await asyncio.sleep(every)
        return await asyncio.gather(*tasks), len(tasks)
