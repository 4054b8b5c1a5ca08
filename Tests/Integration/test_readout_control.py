"""Issue 4: XEP-0323 readouts and XEP-0325 control of the simulated device, with slixmpp's own
xep_0323/xep_0325 client plugins as the other side, through a real Prosody and a
real jabberd2."""
import os

import pytest

from conftest import PASSWORDS, server_fixture
from harness import iot
from harness.agent import REPO, base_config
from harness.peers import Peer

MOMENTARY = {"temperature", "humidity", "pressure"}
IDENTITY = {"serial_number", "model", "agent_version"}

server = server_fixture("prosody", "jabberd2")


@pytest.fixture
def device_jid(server, agent):
    return server.jid("sensor") + "/kinglet"


def peer(server, user):
    return Peer(server, user, PASSWORDS[user], plugins=iot.PLUGINS).connect()


@pytest.fixture
def alice(server, agent):
    p = peer(server, "alice")
    yield p
    p.disconnect()


def test_momentary_readout(alice, device_jid):
    readout = iot.read(alice, device_jid, flags={"momentary": "true"})
    assert readout.results[0] == "accepted" and readout.results[-1] == "done"
    assert set(readout.fields) == MOMENTARY
    temperature = readout.fields["temperature"]
    assert temperature["typename"] == "numeric" and temperature["unit"] == "°C"
    assert temperature["flags"].get("momentary") == "true"
    assert temperature["nodeId"] == "simulated"
    assert temperature["timestamp"].endswith("Z")
    assert 10 < float(temperature["value"]) < 35 and len(temperature["value"].split(".")[1]) == 2


def test_identity_readout(alice, device_jid):
    readout = iot.read(alice, device_jid, flags={"identity": "true"})
    assert set(readout.fields) == IDENTITY
    assert readout.value("serial_number") == "KINGLET-SIM-0001"
    assert all(f["flags"].get("identity") == "true" for f in readout.fields.values())


def test_readout_by_field_name(alice, device_jid):
    readout = iot.read(alice, device_jid, fields=["humidity", "relay"])
    assert set(readout.fields) == {"humidity", "relay"}
    assert readout.fields["relay"]["typename"] == "boolean"
    assert readout.value("relay") == "false"


def test_set_relay_and_dimmer_then_readout_shows_them(alice, device_jid, agent):
    answer = iot.set_request(alice, device_jid, [("relay", "boolean", "true"), ("dimmer", "int", "60")])
    assert answer["error_msg"] is None and answer["fields"] == []
    readout = iot.read(alice, device_jid, flags={"status": "true"})
    assert readout.value("relay") == "true"
    assert readout.value("dimmer") == "60"
    assert readout.fields["dimmer"]["typename"] == "int"
    agent.wait_for_log(r"INFO +control: alice@kinglet\.test set relay=true, dimmer=60")


def test_set_by_message_is_applied_and_never_answered(alice, device_jid, agent):
    received = iot.record_messages(alice)
    mark = agent.mark()
    iot.set_command(alice, device_jid, [("dimmer", "int", "25")])
    agent.wait_for_log(r"set by message dimmer=25", after=mark)
    assert iot.read(alice, device_jid, fields=["dimmer"]).value("dimmer") == "25"
    iot.set_command(alice, device_jid, [("dimmer", "int", "250")])
    agent.wait_for_log(r"refused control message .*dimmer: 250 is above the maximum 100", after=mark)
    assert iot.read(alice, device_jid, fields=["dimmer"]).value("dimmer") == "25"
    # Nothing came back for either set: the only messages are the two readouts' fields.
    assert received and all(m.xml.find(f"{{{iot.SENSORDATA}}}fields") is not None for m in received)
    assert all(m["type"] != "error" for m in received)


def test_bad_parameter_is_named_and_nothing_is_applied(alice, device_jid):
    payload = (f"<set xmlns='{iot.CONTROL}'><boolean name='relay' value='true'/>"
               "<int name='dimmer' value='101'/></set>")
    kind, reply = iot.raw_iq(alice, device_jid, "set", payload)
    assert kind == "error"
    assert iot.error_condition(reply) == "bad-request"
    assert iot.param_error(reply) == ("dimmer", "101 is above the maximum 100")
    assert iot.read(alice, device_jid, fields=["relay"]).value("relay") == "false"
    kind, reply = iot.raw_iq(alice, device_jid, "set", f"<set xmlns='{iot.CONTROL}'><int name='fan' value='1'/></set>")
    assert kind == "error" and iot.error_condition(reply) == "item-not-found"
    assert iot.param_error(reply)[0] == "fan"


def test_control_form(alice, device_jid):
    kind, reply = iot.raw_iq(alice, device_jid, "get", f"<getForm xmlns='{iot.CONTROL}'/>")
    assert kind == "result"
    form = reply.xml.find("{jabber:x:data}x")
    fields = {f.get("var"): f for f in form.findall("{jabber:x:data}field")}
    assert list(fields) == ["xdd session", "relay", "dimmer", "status_led", "mode"]
    validate = fields["dimmer"].find("{http://jabber.org/protocol/xdata-validate}validate")
    assert validate.get("datatype") == "xs:int"
    assert validate.find("{http://jabber.org/protocol/xdata-validate}range").attrib == {"min": "0", "max": "100"}
    assert all(f.find("{urn:xmpp:xdata:dynamic}notSame") is not None for v, f in fields.items() if v != "xdd session")


def test_viewer_may_read_but_not_control(server, device_jid, agent):
    bob = peer(server, "bob")
    try:
        assert set(iot.read(bob, device_jid, flags={"momentary": "true"}).fields) == MOMENTARY
        kind, reply = iot.raw_iq(bob, device_jid, "set", f"<set xmlns='{iot.CONTROL}'><boolean name='relay' value='true'/></set>")
        assert kind == "error" and iot.error_condition(reply) == "forbidden"
        kind, reply = iot.raw_iq(bob, device_jid, "get", f"<getForm xmlns='{iot.CONTROL}'/>")
        assert kind == "error" and iot.error_condition(reply) == "forbidden"
        mark = agent.mark()
        iot.set_command(bob, device_jid, [("relay", "boolean", "true")])
        agent.wait_for_log(r"ignored control message from bob@kinglet\.test", after=mark)
        assert iot.read(bob, device_jid, fields=["relay"]).value("relay") == "false"
        agent.wait_for_log(r"INFO +access: refused set set \(urn:xmpp:iot:control\) from bob@kinglet\.test")
    finally:
        bob.disconnect()


def test_stranger_is_refused_readout(server, device_jid, agent):
    mallory = peer(server, "mallory")
    try:
        kind, reply = iot.raw_iq(mallory, device_jid, "get", f"<req xmlns='{iot.SENSORDATA}' seqnr='1' momentary='true'/>")
        assert kind == "error" and iot.error_condition(reply) == "forbidden"
        agent.wait_for_log(r"refused get req \(urn:xmpp:iot:sensordata\) from mallory@kinglet\.test")
        # No data followed the refusal: a readout by an operator, sent after it, is answered
        # first, so anything for mallory would have arrived by then.
        received = iot.record_messages(mallory)
        kind, _ = iot.raw_iq(mallory, device_jid, "get", f"<req xmlns='{iot.SENSORDATA}' seqnr='2'/>")
        alice = peer(server, "alice")
        try:
            iot.read(alice, device_jid, fields=["relay"])
        finally:
            alice.disconnect()
        assert kind == "error" and received == []
    finally:
        mallory.disconnect()


def test_unknown_node_and_cancel(alice, device_jid):
    kind, reply = iot.raw_iq(alice, device_jid, "get",
                             f"<req xmlns='{iot.SENSORDATA}' seqnr='900'><node nodeId='elsewhere'/></req>")
    assert kind == "error" and iot.error_condition(reply) == "item-not-found"
    kind, reply = iot.raw_iq(alice, device_jid, "get",
                             f"<req xmlns='{iot.SENSORDATA}' seqnr='901' when='2099-01-01T00:00:00Z'/>")
    assert kind == "error" and iot.error_condition(reply) == "bad-request"
    kind, reply = iot.raw_iq(alice, device_jid, "get", f"<cancel xmlns='{iot.SENSORDATA}' seqnr='901'/>")
    assert kind == "result" and reply.xml.find(f"{{{iot.SENSORDATA}}}cancelled").get("seqnr") == "901"


def test_historical_readout_from_the_store(alice, device_jid):
    # The sampler's first batch went to the store at start; a historical readout returns it.
    readout = iot.read(alice, device_jid, flags={"historical": "true"}, fields=["temperature"])
    assert readout.results[-1] == "done"
    assert set(readout.fields) == {"temperature"}
    temperature = readout.fields["temperature"]
    assert temperature["flags"].get("historicalOther") == "true" and "momentary" not in temperature["flags"]


def test_failing_source_is_reported_as_failure_not_value(server, workdir, agent_factory):
    with open(os.path.join(REPO, "Devices", "simulated.toml")) as f:
        profile = f.read()
    path = os.path.join(workdir, "broken.toml")
    with open(path, "w") as f:
        f.write(profile + '\n[[sensor]]\nname = "soil"\nsource = "file"\npath = "/nonexistent/soil"\nunit = "%"\n')
    config = base_config(server, workdir)
    config["device"]["profile"] = path
    agent_factory(config).start().wait_online()
    alice = peer(server, "alice")
    try:
        readout = iot.read(alice, server.jid("sensor") + "/kinglet", flags={"momentary": "true"})
        assert readout.results[-1] == "failure"
        assert set(readout.fields) == MOMENTARY  # the good sources still arrive, before the failure
        assert "soil" not in readout.fields
        assert readout.errors and readout.errors[0].startswith("soil: ") and "/nonexistent/soil" in readout.errors[0]
    finally:
        alice.disconnect()
