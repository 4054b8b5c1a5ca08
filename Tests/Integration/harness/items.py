"""A PubSub subscriber (slixmpp's xep_0060) that records every reading item the agent publishes.

Each notification becomes an `Item`: its id, the batch's sequence range (`<batch first last/>`
in Kinglet's payload), the XEP-0203 `<delay/>` stamp if any (read with slixmpp's own Delay
stanza class: slixmpp registers it on messages and presences only, and in a PubSub item it
sits inside the payload) and the reading times. The recorder outlives a Peer: attach it to a
new connection of the same account after a server restart."""
import datetime
import threading
import time
from dataclasses import dataclass, field

from slixmpp.plugins.xep_0203.stanza import Delay

from .wait import wait_until

SENSORDATA = "urn:xmpp:iot:sensordata"
OUTBOX = "urn:kinglet:outbox:0"
DELAY = "urn:xmpp:delay"
PLUGINS = ("xep_0060", "xep_0203")


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass
class Item:
    id: str
    first: int
    last: int
    seqnr: str
    delay: datetime.datetime | None
    times: list = field(default_factory=list)
    fields: int = 0
    values: tuple = field(default=(), repr=False)  # (time, name, value) of every field: what it says
    received: float = 0.0  # time.time() on arrival


class ItemRecorder:
    def __init__(self, node=SENSORDATA):
        self.node = node
        self._lock = threading.Lock()
        self.arrivals = []  # every notification, duplicates included, in arrival order

    def attach(self, peer):
        peer.run_sync(lambda: peer.client.add_event_handler("pubsub_publish", self._on_publish))
        return self

    def _on_publish(self, msg):
        items = msg["pubsub_event"]["items"]
        if items["node"] != self.node:
            return
        # Not `for item in items`: slixmpp's own handler is iterating that very object, and
        # its iterator state is shared, so a nested loop would restart it for ever.
        for item in list(items.iterables):
            recorded = self._parse(item)
            if recorded:
                with self._lock:
                    self.arrivals.append(recorded)

    @staticmethod
    def _parse(item):
        payload = item["payload"]
        if payload is None or payload.tag != f"{{{SENSORDATA}}}fields":
            return None
        batch = payload.find(f"{{{OUTBOX}}}batch")
        delay_xml = payload.find(f"{{{DELAY}}}delay")
        delay = Delay(xml=delay_xml)["stamp"] if delay_xml is not None else None
        times, values = [], []
        for stamp in payload.iter(f"{{{SENSORDATA}}}timestamp"):
            times.append(parse_time(stamp.get("value")))
            values += [(stamp.get("value"), f.get("name"), f.get("value")) for f in stamp]
        return Item(id=item["id"], first=int(batch.get("first")), last=int(batch.get("last")),
                    seqnr=payload.get("seqnr"), delay=delay, times=times, fields=len(values),
                    values=tuple(values), received=time.time())

    # --- views

    def snapshot(self):
        with self._lock:
            return list(self.arrivals)

    def dump(self, path):
        with open(path, "w") as f:
            for item in self.snapshot():
                delay = item.delay.isoformat() if item.delay else "-"
                f.write(f"{item.received:.3f} id={item.id} {item.first}-{item.last} delay={delay} "
                        f"time={item.times[0].isoformat() if item.times else '-'}\n")

    def count(self):
        with self._lock:
            return len(self.arrivals)

    def unique(self, arrivals=None):
        """First arrival of each item id, in arrival order."""
        seen, out = set(), []
        for item in self.snapshot() if arrivals is None else arrivals:
            if item.id not in seen:
                seen.add(item.id)
                out.append(item)
        return out

    def covered(self):
        """Every sequence number covered by the items received."""
        numbers = set()
        for item in self.unique():
            numbers.update(range(item.first, item.last + 1))
        return numbers

    def wait_for_sequence(self, sequence, timeout=60):
        return wait_until(lambda: any(i.last >= sequence for i in self.snapshot()), timeout=timeout,
                          what=lambda: f"an item through #{sequence} (have {self.count()} items, "
                                       f"last {max((i.last for i in self.snapshot()), default=None)})")

    def wait_for_items(self, count, timeout=30):
        return wait_until(lambda: self.count() >= count, timeout=timeout,
                          what=lambda: f"{count} items (have {self.count()})")


def check_no_id_reused(items):
    """An item id seen twice must carry the same readings (a resend); a reused sequence number
    would carry others. Returns how many ids arrived more than once."""
    by_id, repeated = {}, 0
    for item in items:
        previous = by_id.setdefault(item.id, item)
        if previous is not item:
            repeated += 1
            assert (previous.first, previous.last, previous.values) == (item.first, item.last, item.values), \
                f"item {item.id} published twice with different readings: {previous} / {item}"
    return repeated


def check_exactly_once(items, start=None, end=None):
    """Item ids are the batches' first numbers; the batches must tile start..end with no gap and
    no overlap, and an id seen twice must name the same batch (a reused number would not)."""
    by_id = {}
    for item in items:
        previous = by_id.setdefault(item.id, item)
        assert (previous.first, previous.last) == (item.first, item.last), \
            f"item {item.id} published twice with different readings: {previous} / {item}"
        assert item.id == str(item.first) == item.seqnr, f"item id, seqnr and first differ: {item}"
        assert item.fields == item.last - item.first + 1, f"fields missing from item {item.id}: {item}"
    batches = sorted(by_id.values(), key=lambda i: i.first)
    start = batches[0].first if start is None else start
    batches = [b for b in batches if b.last >= start and (end is None or b.first <= end)]
    expected = start
    for batch in batches:
        assert batch.first == expected, f"after #{expected - 1} the next item starts at #{batch.first}"
        expected = batch.last + 1
    if end is not None:
        assert expected > end, f"items end at #{expected - 1}, before #{end}"
    return batches
