"""Issue 4: XEP-0050 ad-hoc commands driven by slixmpp's xep_0050 client, and the chat command
language, against the simulated device through a real Prosody and a real jabberd2."""
import re

import pytest
from slixmpp.exceptions import IqError

from conftest import PASSWORDS, server_fixture
from harness.agent import base_config
from harness.commands import run_command, values
from harness.peers import Peer
from harness.wait import wait_until

COMMANDS = "http://jabber.org/protocol/commands"

server = server_fixture("prosody", "jabberd2")


def agent_jid(server):
    return server.jid("sensor") + "/kinglet"


@pytest.fixture
def peers(server, agent):
    made = {}

    def get(user):
        if user not in made:
            made[user] = Peer(server, user, PASSWORDS[user]).connect()
        return made[user]

    yield get
    for peer in made.values():
        peer.disconnect()


def condition(error):
    return error.iq["error"]["condition"]


def test_commands_are_listed_per_role(server, peers):
    jid = agent_jid(server)
    alice, bob = peers("alice"), peers("bob")
    listed = alice.run(lambda: alice.client.plugin["xep_0050"].get_commands(jid))["disco_items"]["items"]
    assert {(node, name) for _, node, name in listed} == {
        ("read-sensors", "Read sensors"), ("set-control", "Set a control"),
        ("device-info", "Device information"), ("restart-agent", "Restart agent")}
    assert all(item_jid == jid for item_jid, _, _ in listed)
    for_viewer = bob.run(lambda: bob.client.plugin["xep_0050"].get_commands(jid))["disco_items"]["items"]
    assert {node for _, node, _ in for_viewer} == {"read-sensors", "device-info"}

    info = alice.run(alice.client.plugin["xep_0030"].get_info(jid=jid, node="set-control"))["disco_info"]
    assert ("automation", "command-node", None, "Set a control") in info.get_identities(lang=None)
    assert {"http://jabber.org/protocol/disco#info", COMMANDS, "jabber:x:data"} <= set(info.get_features())
    listing = alice.run(alice.client.plugin["xep_0030"].get_info(jid=jid, node=COMMANDS))["disco_info"]
    assert ("automation", "command-list", None, "Commands") in listing.get_identities(lang=None)
    root = alice.run(alice.client.plugin["xep_0030"].get_items(jid=jid))["disco_items"]["items"]
    assert COMMANDS in {node for _, node, _ in root}


def test_read_set_through_forms_then_readouts_show_the_new_value(server, peers):
    jid = agent_jid(server)
    alice = peers("alice")

    picker = run_command(alice, jid, "read-sensors")
    assert picker["status"] == "executing"
    options = [o["value"] for o in picker["form"].get_fields()["sensors"]["options"]]
    assert {"temperature", "humidity", "relay", "dimmer"} <= set(options)
    readings = run_command(alice, jid, "read-sensors", action="complete", session=picker["sessionid"],
                           fields={"sensors": ["temperature", "relay"]})
    assert readings["status"] == "completed"
    shown = values(readings["form"])
    assert re.fullmatch(r"\d+\.\d\d °C", shown["temperature"]) and shown["relay"] == "off"

    # "Set a control" on one page (Psi 1.5 drops every reply after a form's first page): the
    # controls to tick, then a field per control holding its current value.
    page = run_command(alice, jid, "set-control")
    assert page["status"] == "executing" and page["actions"] == {"complete"}
    fields = page["form"].get_fields()
    assert list(fields) == ["controls", "relay", "dimmer", "status_led", "mode"]
    assert fields["controls"]["type"] == "list-multi"
    assert [o["label"] for o in fields["controls"]["options"]][:2] == ["relay (Relay output)", "dimmer (Dimmer level)"]
    assert fields["relay"]["type"] == "boolean" and fields["relay"]["desc"] == "current value: off; must be on or off"
    assert [(o["label"], o["value"]) for o in fields["mode"]["options"]] == [("auto", "auto"), ("manual", "manual"), ("off", "off")]
    done = run_command(alice, jid, "set-control", action="complete", session=page["sessionid"],
                       fields={"controls": ["relay"], "relay": True, "dimmer": "0"})
    assert done["status"] == "completed"
    assert done["notes"] == [("info", "relay is now on.")]

    again = run_command(alice, jid, "read-sensors")
    after = run_command(alice, jid, "read-sensors", session=again["sessionid"], fields={"sensors": ["relay"]})
    assert values(after["form"])["relay"] == "on"
    assert chat(alice, server, "read relay") == "relay: on"


def test_several_controls_in_one_form_checked_together_and_cancel_ends_the_session(server, peers):
    jid = agent_jid(server)
    alice = peers("alice")
    session = run_command(alice, jid, "set-control")["sessionid"]
    retry = run_command(alice, jid, "set-control", session=session,
                        fields={"controls": ["relay", "dimmer"], "relay": True, "dimmer": "150"})
    assert retry["status"] == "executing"
    assert retry["notes"] == [("error", "dimmer must be a whole number between 0 and 100 %, not 150; nothing was set")]
    assert retry["form"].get_fields()["dimmer"].get_value(convert=False) == "150"  # what was typed stays
    assert chat(alice, server, "read relay") == "relay: off"  # checked together: nothing applied
    done = run_command(alice, jid, "set-control", session=session,
                       fields={"controls": ["dimmer", "relay"], "relay": True, "dimmer": "40"})
    assert done["notes"] == [("info", "relay is now on, dimmer is now 40 %.")]  # applied in profile order
    assert chat(alice, server, "read relay dimmer") == "relay: on\ndimmer: 40 %"

    session = run_command(alice, jid, "set-control")["sessionid"]
    canceled = run_command(alice, jid, "set-control", action="cancel", session=session)
    assert canceled["status"] == "canceled"
    with pytest.raises(IqError) as gone:
        run_command(alice, jid, "set-control", session=session, fields={"controls": ["relay"], "relay": False})
    assert condition(gone.value) == "bad-request"
    assert gone.value.iq.xml.find(f".//{{{COMMANDS}}}bad-sessionid") is not None


def test_device_information(server, peers):
    info = run_command(peers("bob"), agent_jid(server), "device-info")
    assert info["status"] == "completed"
    shown = values(info["form"])
    assert shown["serial_number"] == "KINGLET-SIM-0001"
    assert shown["kinglet-version"].startswith("Kinglet ")
    assert re.fullmatch(r"\d+[smhd]( \d+[smh])?", shown["kinglet-uptime"])
    assert shown["kinglet-health"] == "3 sensors, 4 controls OK"  # the 3 identity fields apart
    assert shown["kinglet-server"] == f"127.0.0.1:{server.c2s_port}"
    assert shown["kinglet-tls"].startswith("TLSv1.2 TLS-")
    assert re.fullmatch(r"\S+Z \(\d+[smhd]( \d+[smh])? ago\)", shown["kinglet-online-since"]), shown
    assert shown["kinglet-last-disconnect"] == "none since the agent started"


def test_viewer_may_not_set_or_restart_and_stranger_is_refused(server, peers, agent):
    jid = agent_jid(server)
    bob, mallory = peers("bob"), peers("mallory")
    for node in ("set-control", "restart-agent"):
        with pytest.raises(IqError) as refused:
            run_command(bob, jid, node)
        assert condition(refused.value) == "forbidden"
    assert run_command(bob, jid, "read-sensors")["status"] == "executing"
    for node in ("read-sensors", "device-info"):
        with pytest.raises(IqError) as refused:
            run_command(mallory, jid, node)
        assert condition(refused.value) == "forbidden"
    with pytest.raises(IqError) as refused:
        mallory.run(lambda: mallory.client.plugin["xep_0050"].get_commands(jid))
    assert condition(refused.value) == "forbidden"
    agent.wait_for_log(r"refused set command \(http://jabber.org/protocol/commands\) from bob@")


def test_restart_goes_offline_cleanly_and_exits_for_systemd(server, peers, agent):
    jid = agent_jid(server)
    alice = peers("alice")
    session = run_command(alice, jid, "restart-agent")["sessionid"]
    done = run_command(alice, jid, "restart-agent", action="complete", session=session, fields={"confirm": True})
    assert done["status"] == "completed" and done["notes"][0][0] == "info"
    assert agent.wait_exit() == 75  # EX_TEMPFAIL: Restart=on-failure starts it again
    agent.wait_for_log(r"restart requested by alice@")
    agent.wait_for_log(r"stopped; exiting with status 75")


def reply_to(peer, server):
    """The body of the next chat message from the agent."""
    bare = server.jid("sensor")
    return peer.wait_message(lambda m: m["from"].bare == bare and m["body"])["body"]


def chat(peer, server, text):
    """Sends `text` from the peer's own loop (slixmpp is not thread-safe) and returns the answer."""
    peer.run_sync(lambda: peer.client.send_message(mto=agent_jid(server), mbody=text, mtype="chat"))
    return reply_to(peer, server)


def test_chat_session(server, peers):
    alice = peers("alice")
    status = chat(alice, server, "status")
    assert status.startswith("simulated: 3 sensors, 4 controls OK\nup ")
    assert re.fullmatch(r"temperature: \d+\.\d\d °C", chat(alice, server, "read temperature"))
    assert chat(alice, server, "set relay on") == "relay is now on"
    assert chat(alice, server, "read   RELAY") == "relay: on"
    assert chat(alice, server, "set dimmer 150") == "dimmer must be a whole number between 0 and 100 %, not 150"
    assert chat(alice, server, "read dimmer") == "dimmer: 0 %"
    assert chat(alice, server, "xyzzy") == "unknown command 'xyzzy'; try help"
    assert "set NAME VALUE" in chat(alice, server, "help")


def test_chat_sets_several_controls_in_one_line(server, peers):
    alice = peers("alice")
    assert chat(alice, server, "set relay on dimmer 40") == "relay is now on, dimmer is now 40 %"
    assert chat(alice, server, "set dimmer 50 mode turbo") == \
        "mode must be one of auto, manual, off, not 'turbo'; nothing was set"  # checked together
    assert chat(alice, server, "read relay dimmer mode") == "relay: on\ndimmer: 40 %\nmode: auto"


def test_chat_viewer_reads_and_stranger_is_not_authorized(server, peers):
    bob, mallory = peers("bob"), peers("mallory")
    assert chat(bob, server, "read relay") == "relay: off"
    assert chat(bob, server, "set relay on") == "not allowed: viewers may only read; set needs an operator"
    assert chat(bob, server, "read relay") == "relay: off"
    assert chat(mallory, server, "status") == \
        "not authorized: ask an operator of this device to list you in its [access] viewers or operators"


def test_chat_read_with_a_span_answers_from_the_history(server, workdir, agent_factory):
    config = base_config(server, workdir)
    config["device"]["interval"] = "200ms"
    config["store"]["history_max_age"] = "1d"
    agent_factory(config, name="history").start().wait_online()
    alice = Peer(server, "alice", PASSWORDS["alice"]).connect()
    try:
        def answered():
            text = chat(alice, server, "read temperature 1h")
            pattern = r"temperature over the last 1h: min (\S+) °C, mean (\S+) °C, max (\S+) °C \((\d+) readings?\)"
            match = re.fullmatch(pattern, text)
            assert match, text
            return match if int(match.group(4)) >= 10 else None

        match = wait_until(answered, timeout=30, interval=0.5, what="ten readings in the history")
        low, mean, high = (float(match.group(i)) for i in (1, 2, 3))
        assert low <= mean <= high and 10 < low < 40, match.group(0)
        assert "no sensor or control named '2x'" in chat(alice, server, "read temperature 2x")
    finally:
        alice.disconnect()
