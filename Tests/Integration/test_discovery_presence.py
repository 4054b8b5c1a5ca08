"""Issue 4, presence and discovery: caps in presence checked against disco#info, extended info,
health in the status line, subscriptions, version, last activity, and strangers refused; through
a real Prosody and a real jabberd2."""
import base64
import hashlib
import os
import re
import time

import pytest
from slixmpp.exceptions import IqError

from conftest import server_fixture
from harness.agent import REPO, base_config
from harness.peers import Peer
from harness.wait import wait_until

CAPS = "http://jabber.org/protocol/caps"
CAPS_NODE = "urn:kinglet"
DISCO_INFO = "http://jabber.org/protocol/disco#info"
DISCO_ITEMS = "http://jabber.org/protocol/disco#items"
SOFTWARE_INFO = "urn:xmpp:dataforms:softwareinfo"
DEVICE_FORM = "https://kinglet.invalid/device"
# What the agent answers on this branch whatever else is merged; IoT features come on top.
REQUIRED_FEATURES = {DISCO_INFO, DISCO_ITEMS, CAPS, "jabber:x:data", "urn:xmpp:ping", "jabber:iq:version",
                     "jabber:iq:last"}

server = server_fixture("prosody", "jabberd2")


def agent_jid(server):
    return server.jid("sensor") + "/kinglet"


def from_agent(server, ptype=None):
    bare = server.jid("sensor")

    def match(p):
        return p["from"].bare == bare and (ptype is None or p["type"] == ptype)
    return match


def available_from_agent(server):
    """slixmpp gives an available presence's `<show/>` as its type; `p["show"]` is "" without one."""
    match = from_agent(server)
    return lambda p: match(p) and p["type"] in ("available", "away", "chat", "dnd", "xa")


def condition(error):
    return error.iq["error"]["condition"]


def verification_string(info):
    """XEP-0115 §5.1, written out here so the test checks the agent against the spec, not
    against slixmpp alone."""
    s = ""
    identities = sorted("/".join(part or "" for part in identity) for identity in info.get_identities(lang=None))
    s += "".join(i + "<" for i in identities)
    s += "".join(f + "<" for f in sorted(info.get_features()))
    forms = {}
    for form in info["substanzas"]:
        fields = form.get_fields() if hasattr(form, "get_fields") else {}
        if "FORM_TYPE" in fields and fields["FORM_TYPE"]["type"] == "hidden":
            forms[first(fields["FORM_TYPE"].get_value(convert=False))] = fields
    for form_type in sorted(forms):
        s += form_type + "<"
        fields = forms[form_type]
        for var in sorted(v for v in fields if v != "FORM_TYPE"):
            values = fields[var].get_value(convert=False)
            values = values if isinstance(values, list) else [values]
            s += var + "<" + "".join(v + "<" for v in sorted(values))
    return base64.b64encode(hashlib.sha1(s.encode("utf-8")).digest()).decode()


def first(value):
    return value[0] if isinstance(value, list) else value


def form_values(info, form_type):
    for form in info["substanzas"]:
        fields = form.get_fields() if hasattr(form, "get_fields") else {}
        if "FORM_TYPE" in fields and first(fields["FORM_TYPE"].get_value(convert=False)) == form_type:
            return {var: first(field.get_value(convert=False)) for var, field in fields.items()}
    return None


@pytest.fixture
def peers():
    made = []

    def make(server, user, password, plugins=("xep_0092", "xep_0012"), auto_subscribe=True):
        peer = Peer(server, user, password, plugins=plugins)
        made.append(peer)
        peer.run_sync(lambda: setattr(peer.client, "auto_subscribe", auto_subscribe))  # before any request comes
        return peer.connect()

    yield make
    for peer in made:
        peer.disconnect()


def test_caps_in_presence_match_disco_info_with_extended_info(server, agent, peers):
    alice = peers(server, "alice", "alice-secret")
    alice.subscribe_to(server.jid("sensor"))
    presence = alice.wait_presence(available_from_agent(server))
    caps = presence["caps"]
    assert caps["hash"] == "sha-1" and caps["node"] == CAPS_NODE and caps["ver"]
    ver = caps["ver"]

    # slixmpp's xep_0115 fetched node#ver itself and accepts the ver only if its hash matches.
    full = agent_jid(server)
    wait_until(lambda: alice.run(alice.client.plugin["xep_0115"].get_verstring(full)) == ver,
               what="slixmpp to verify the agent's caps")

    iq = alice.run(alice.client.plugin["xep_0030"].get_info(jid=full, node=f"{CAPS_NODE}#{ver}"))
    info = iq["disco_info"]
    assert info["node"] == f"{CAPS_NODE}#{ver}"
    assert verification_string(info) == ver
    assert ("client", "bot", None, "simulated") in info.get_identities(lang=None)
    features = set(info.get_features())
    assert REQUIRED_FEATURES <= features
    plain = alice.run(alice.client.plugin["xep_0030"].get_info(jid=full))["disco_info"]
    assert set(plain.get_features()) == features  # the caps node and no node say the same

    software = form_values(info, SOFTWARE_INFO)
    assert software["software"] == "Kinglet" and re.fullmatch(r"\d+\.\d+\.\d+.*", software["software_version"])
    assert software["os"] == "Linux"
    device = form_values(info, DEVICE_FORM)
    assert device["serial_number"] == "KINGLET-SIM-0001"
    assert device["model"] == "Kinglet simulator"
    assert device["agent_version"] == software["software_version"]
    assert device["profile"] == "simulated"

    # An old or invented ver is not ours.
    with pytest.raises(IqError) as refused:
        alice.run(alice.client.plugin["xep_0030"].get_info(jid=full, node=f"{CAPS_NODE}#bogus"))
    assert condition(refused.value) == "item-not-found"


def test_disco_items_list_sensors_and_their_nodes(server, agent, peers):
    bob = peers(server, "bob", "bob-secret")
    full = agent_jid(server)
    items = bob.run(bob.client.plugin["xep_0030"].get_items(jid=full))["disco_items"]["items"]
    nodes = {node: name for _, node, name in items}
    for sensor in ("temperature", "humidity", "pressure", "serial_number"):
        assert f"sensor/{sensor}" in nodes
    for control in ("relay", "dimmer", "status_led", "mode"):
        assert f"control/{control}" in nodes
    assert nodes["sensor/temperature"] == "temperature (°C)"
    assert all(jid == full for jid, _, _ in items)

    leaf = bob.run(bob.client.plugin["xep_0030"].get_info(jid=full, node="sensor/temperature"))["disco_info"]
    assert ("hierarchy", "leaf", None, "temperature") in leaf.get_identities(lang=None)
    assert DISCO_INFO in leaf.get_features()
    children = bob.run(bob.client.plugin["xep_0030"].get_items(jid=full, node="sensor/temperature"))
    assert list(children["disco_items"]["items"]) == []

    with pytest.raises(IqError) as missing:
        bob.run(bob.client.plugin["xep_0030"].get_info(jid=full, node="sensor/no-such-sensor"))
    assert condition(missing.value) == "item-not-found"
    with pytest.raises(IqError) as missing:
        bob.run(bob.client.plugin["xep_0030"].get_items(jid=full, node="nowhere"))
    assert condition(missing.value) == "item-not-found"


def test_version_and_last_activity(server, agent, peers):
    bob = peers(server, "bob", "bob-secret")
    full = agent_jid(server)
    version = bob.run(lambda: bob.client.plugin["xep_0092"].get_version(full))["software_version"]
    assert version["name"] == "Kinglet"
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", version["version"])
    assert version["os"].startswith("Linux")

    def idle_seconds():
        return int(bob.run(lambda: bob.client.plugin["xep_0012"].get_last_activity(full))["last_activity"]["seconds"])

    asked = time.monotonic()
    first = idle_seconds()

    def grown():
        seconds = idle_seconds()
        return seconds if seconds > first else None

    # Idle time counts from the start while nobody commands the device, and asking is no
    # command: asked twice a second, as a client polling it would, it keeps growing (were
    # asking a command, every answer would be 0), by no more than the time that passed.
    later = wait_until(grown, timeout=10, interval=0.5, what="the idle time to grow")
    assert later < first + (time.monotonic() - asked) + 1


def test_os_can_be_withheld(server, workdir, agent_factory, peers):
    config = base_config(server, workdir)
    config["presence"] = {"disclose_os": False, "name": "Greenhouse 3"}
    agent = agent_factory(config).start()
    agent.wait_online()
    bob = peers(server, "bob", "bob-secret")
    full = agent_jid(server)
    version = bob.run(lambda: bob.client.plugin["xep_0092"].get_version(full))["software_version"]
    assert version["name"] == "Kinglet" and not version["os"]
    info = bob.run(bob.client.plugin["xep_0030"].get_info(jid=full))["disco_info"]
    assert ("client", "bot", None, "Greenhouse 3") in info.get_identities(lang=None)
    software = form_values(info, SOFTWARE_INFO)
    assert "os" not in software and "os_version" not in software


def test_operator_subscription_is_approved_and_reciprocated(server, agent, peers):
    # Alice approves the device's request without sending one of her own in return, so she
    # sends exactly one: with slixmpp's auto_subscribe she sent a second, which jabberd2
    # delivered or answered itself depending on whether the device had approved the first yet.
    alice = peers(server, "alice", "alice-secret", auto_subscribe=False)
    device = server.jid("sensor")
    alice.subscribe_to(device)
    # The device's own request comes at its login (enrollment) or in return for hers: either order.
    types = set()
    alice.wait_presence(lambda p: from_agent(server)(p) and not types.add(p["type"]) and {"subscribe", "subscribed"} <= types)
    wait_until(lambda: alice.client.client_roster[device]["subscription"] == "both",
               what="alice and the device to be subscribed both ways")
    agent.wait_for_log(rf"approved the presence subscription of {re.escape(server.jid('alice'))} \(operator\)")
    # A ping answered after all that is a barrier: a second subscribe (a loop) would come first.
    alice.run(lambda: alice.client.plugin["xep_0199"].send_ping(agent_jid(server)))
    subscribes = 1  # the one waited for above
    while not alice.presences.empty():
        if from_agent(server, "subscribe")(alice.presences.get_nowait()):
            subscribes += 1
    assert subscribes == 1
    # Her one request is approved once.
    assert len(agent.matching(r"approved the presence subscription")) == 1

    # The goodbye goes through the presence service too, caps and all.
    assert agent.stop() == 0
    goodbye = alice.wait_presence(from_agent(server, "unavailable"))
    assert goodbye["caps"]["node"] == CAPS_NODE


def test_stranger_is_refused_everything(server, agent, peers):
    mallory = peers(server, "mallory", "mallory-secret")
    full = agent_jid(server)
    for ask in (lambda c: c.plugin["xep_0030"].get_info(jid=full), lambda c: c.plugin["xep_0030"].get_items(jid=full),
                lambda c: c.plugin["xep_0092"].get_version(full), lambda c: c.plugin["xep_0012"].get_last_activity(full),
                lambda c: c.plugin["xep_0199"].send_ping(full)):
        with pytest.raises(IqError) as refused:
            mallory.run(ask(mallory.client))
        assert condition(refused.value) == "forbidden"
    # Refusals are logged once per sender and minute: the first as it is, the rest counted.
    agent.wait_for_log(rf"INFO +access: refused get query \(http://jabber.org/protocol/disco#info\) from {re.escape(server.jid('mallory'))}/\S+ \(stranger; viewer needed\)")

    mallory.subscribe_to(server.jid("sensor"))
    agent.wait_for_log(r"refused presence subscription from " + re.escape(server.jid("mallory")))
    if server.name != "jabberd2":  # jabberd2 2.7 drops the denial of a pending request (any client's)
        refusal = mallory.wait_presence(lambda p: from_agent(server, "unsubscribed")(p))
        assert refusal["caps"]["node"] == CAPS_NODE  # caps in every presence the agent sends

    mallory.run_sync(lambda: mallory.client.send_message(mto=full, mbody="status", mtype="chat"))
    reply = mallory.wait_message(lambda m: m["from"].bare == server.jid("sensor"))
    assert reply["body"].startswith("not authorized: ask an operator of this device")
    assert len(agent.matching(r"access: refused (get|set|message).* from " + re.escape(server.jid("mallory")))) == 1


def write_profile(workdir, level_file):
    path = os.path.join(workdir, "tank.toml")
    with open(path, "w") as f:
        f.write(f"""
[device]
name = "tank"
interval = "1s"

[[sensor]]
name = "serial_number"
source = "constant"
value = "TANK-1"

[[sensor]]
name = "level"
source = "file"
path = "{level_file}"
value_type = "int"
unit = "%"
""")
    return path


def test_presence_follows_health_not_readings(server, workdir, agent_factory, peers):
    level = os.path.join(workdir, "level.txt")  # missing at first: the sensor fails
    config = base_config(server, workdir)
    config["device"] = {"profile": write_profile(workdir, level)}
    config["presence"] = {"check_interval": "1s", "backlog_threshold": 1000000,
                          "status": "{health} · {sensors} sensors · {pending} queued"}
    agent = agent_factory(config).start()
    agent.wait_online()
    alice = peers(server, "alice", "alice-secret")
    alice.subscribe_to(server.jid("sensor"))
    failing = alice.wait_presence(lambda p: available_from_agent(server)(p) and p["show"] == "dnd")
    assert failing["status"] == "failing: level · 1 sensors · 0 queued"  # the identity field counts apart
    assert failing["caps"]["ver"]

    with open(level, "w") as f:
        f.write("40\n")
    healthy = alice.wait_presence(lambda p: available_from_agent(server)(p) and p["show"] == "")
    assert healthy["status"] == "ok · 1 sensors · 0 queued"

    # New readings every second, and no presence for any of them: wait for three more health
    # checks, each after a new value, and see that nothing else arrived.
    mark = agent.mark()
    for value in (41, 42, 43):
        with open(level, "w") as f:
            f.write(f"{value}\n")
        checks = len([line for line in agent.log()[mark:] if "presence unchanged" in line])
        wait_until(lambda: len([line for line in agent.log()[mark:] if "presence unchanged" in line]) > checks + 1,
                   what="two more health checks")
    extra = []
    while not alice.presences.empty():
        p = alice.presences.get_nowait()
        if from_agent(server)(p):
            extra.append(p)
    assert extra == []
    assert len(agent.matching(r"INFO +presence: available: ok")) == 1
