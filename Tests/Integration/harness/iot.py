"""slixmpp's XEP-0323 and XEP-0325 client plugins, driven from synchronous test code.

slixmpp's sensor-data stanzas predate XEP-0323 0.3 and know `numeric`, `string`, `boolean`,
`dateTime`, `timeSpan` and `enum` only. `register_current_field_types()` teaches them the field
elements 0.3 added (`int`, `long`, `duration`, `date`, `time`) so that the dimmer, an int
control, is visible to the client; nothing else about the plugins is changed."""
import queue
import xml.etree.ElementTree as ET

from slixmpp.exceptions import IqError, IqTimeout
from slixmpp.plugins.xep_0323.stanza import sensordata as sd
from slixmpp.xmlstream import register_stanza_plugin
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

from .wait import wait_until

SENSORDATA = "urn:xmpp:iot:sensordata"
CONTROL = "urn:xmpp:iot:control"
STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas"
PLUGINS = ("xep_0323", "xep_0325")


def _field_class(element):
    return type("Data" + element[0].upper() + element[1:], (sd.Field,), {
        "namespace": SENSORDATA, "name": element, "plugin_attrib": element,
        "interfaces": {"value"} | sd.Field.interfaces, "_get_typename": lambda self: element,
    })


def register_current_field_types():
    for element in ("int", "long", "duration", "date", "time"):
        if not any(getattr(cls, "name", None) == element for cls in sd.Timestamp.plugin_iterables):
            register_stanza_plugin(sd.Timestamp, _field_class(element), iterable=True)


register_current_field_types()


class Readout:
    """What one `request_data` brought back: every callback, and the fields by name."""

    def __init__(self):
        self.events = queue.Queue()
        self.results = []
        self.fields = {}
        self.errors = []

    def callback(self, from_jid=None, result=None, nodeId=None, timestamp=None, fields=None, error_msg=None):
        self.events.put((result, nodeId, timestamp, fields, error_msg))

    def finished(self):
        while True:
            try:
                result, node, timestamp, fields, error = self.events.get_nowait()
            except queue.Empty:
                return False
            self.results.append(result)
            for field in fields or []:
                self.fields[field["name"]] = dict(field, nodeId=node, timestamp=timestamp)
            if error:
                self.errors.append(error)
            if result in ("done", "failure", "rejected"):
                return True

    def value(self, name):
        return self.fields[name]["value"]


def read(peer, device_jid, flags=None, fields=None, timeout=15):
    """A readout through slixmpp's xep_0323 client; waits for `done` (or a failure)."""
    readout = Readout()
    plugin = peer.client.plugin["xep_0323"]
    peer.run_sync(lambda: plugin.request_data(peer.client.boundjid.full, device_jid, readout.callback,
                                              fields=fields, flags=flags))
    wait_until(readout.finished, timeout=timeout, what=lambda: f"readout to end; got {readout.results}")
    return readout


def set_request(peer, device_jid, fields, timeout=15):
    """A control set by IQ through slixmpp's xep_0325 client; returns the callback's arguments."""
    answers = queue.Queue()
    plugin = peer.client.plugin["xep_0325"]
    peer.run_sync(lambda: plugin.set_request(peer.client.boundjid.full, device_jid,
                                             lambda **kw: answers.put(kw), fields))
    return wait_until(lambda: _poll(answers), timeout=timeout, what="setResponse")


def set_command(peer, device_jid, fields):
    """A fire-and-forget control set by message through slixmpp's xep_0325 client."""
    plugin = peer.client.plugin["xep_0325"]
    peer.run_sync(lambda: plugin.set_command(peer.client.boundjid.full, device_jid, fields))


def record_messages(peer):
    """Every message stanza the peer receives from now on, bodies or not (slixmpp's "message"
    event only fires for messages with a body). Returns a list that fills as they arrive."""
    received = []
    handler = Callback("all messages", MatchXPath("{jabber:client}message"), received.append)
    peer.run_sync(lambda: peer.client.register_handler(handler))
    return received


def _poll(q):
    try:
        return q.get_nowait()
    except queue.Empty:
        return None


def raw_iq(peer, device_jid, iq_type, payload_xml, timeout=10):
    """Sends an IQ with a literal payload; returns ("result", stanza) or ("error", stanza)."""
    async def send():
        iq = peer.client.Iq()
        iq["type"] = iq_type
        iq["to"] = device_jid
        iq.append(ET.fromstring(payload_xml))
        try:
            return "result", await iq.send(timeout=timeout)
        except IqError as e:
            return "error", e.iq
        except IqTimeout:
            return "timeout", None
    return peer.run(send(), timeout=timeout + 5)


def error_condition(stanza):
    return stanza["error"]["condition"]


def param_error(stanza):
    """The `var` and text of an XEP-0325 `<paramError/>` in an error reply, or None."""
    element = stanza.xml.find(f"{{jabber:client}}error/{{{CONTROL}}}paramError")
    return None if element is None else (element.get("var"), element.text)
