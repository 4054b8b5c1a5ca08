"""Interoperability with jabberd2 2.7 (Debian 12's package, harness/jabberd2.py) where it is not
like Prosody and ejabberd: it has no PEP. By default nothing in its session manager answers a
PEP request (one without `to` is dropped without a word, one to the account's bare JID gets
`feature-not-implemented`), and the account's disco#info shows no PEP identity; Debian's
mod_pep, when loaded, advertises PEP and still implements none of it.

The logins, presence and caps, readout, control, ad-hoc commands, chat and the server restart
run against jabberd2 in their own modules (parametrized with Prosody)."""
import shutil
import tempfile

import pytest

from conftest import PASSWORDS
from harness import jabberd2 as jabberd2_harness
from harness.agent import base_config, run_cli
from harness.rig import parse_stats
from harness.wait import wait_until


@pytest.fixture
def server(jabberd2_shared):
    jabberd2_shared.forget_contacts()
    return jabberd2_shared


@pytest.fixture(scope="module")
def jabberd2_with_mod_pep():
    """A jabberd2 with Debian's mod_pep loaded: PEP advertised, every request refused."""
    why_not = jabberd2_harness.available()
    if why_not:
        pytest.skip(why_not)
    workdir = tempfile.mkdtemp(prefix="kinglet-jabberd2-pep-")
    server = jabberd2_harness.Jabberd2(workdir, pep_module=True)
    for user, password in PASSWORDS.items():
        server.register(user, password)
    server.start()
    yield server
    server.stop()
    shutil.rmtree(workdir, ignore_errors=True)


def stats(agent):
    result = run_cli("buffer", "stats", "--config", agent.config_path)
    assert result.returncode == 0, result.stderr
    return parse_stats(result.stdout)


def agent_config(server, workdir, **publish):
    config = base_config(server, workdir, reconnect_initial="200ms", reconnect_max="1s")
    config["device"]["interval"] = "200ms"
    config["publish"] = publish or None
    return config


def test_without_pep_it_is_said_once_and_the_readings_stay(server, workdir, agent_factory):
    agent = agent_factory(agent_config(server, workdir)).start()  # [publish] mode = "pep", the default
    agent.wait_online()
    line = agent.wait_for_log(r"^ERROR +publish: the server of sensor@kinglet\.test offers no PEP")
    assert '[publish] mode = "pubsub"' in line and 'mode = "off"' in line
    wait_until(lambda: stats(agent)["pending"] >= 10, what="readings to pile up in the outbox")
    assert stats(agent)["acknowledged"] == 0
    assert not agent.matching(r"publishing item"), "nothing was sent to be refused"

    # A new stream looks again (the server may have gained PEP), and does not say it again.
    mark = agent.mark()
    server.stop()
    server.start()
    agent.wait_online(after=mark)
    agent.wait_for_log(r"^DEBUG +publish: the server of sensor@kinglet\.test offers no PEP", after=mark)
    assert len(agent.matching(r"^ERROR")) == 1


def test_a_pep_that_refuses_every_publish_is_tried_again_at_a_growing_interval(jabberd2_with_mod_pep, workdir,
                                                                               agent_factory):
    server = jabberd2_with_mod_pep
    agent = agent_factory(agent_config(server, workdir, retry_initial="1s", retry_max="4s")).start()
    agent.wait_online()
    agent.wait_for_log(r"^ERROR +publish: publishing item 1 to 'urn:xmpp:iot:sensordata' failed: "
                       r"feature-not-implemented; the readings stay in the outbox, next try in 1\.0s")
    agent.wait_for_log(r"^DEBUG +publish: publishing item 1 .* \(again\); next try in 2\.0s")
    agent.wait_for_log(r"^DEBUG +publish: publishing item 1 .* \(again\); next try in 4\.0s", timeout=20)
    assert len(agent.matching(r"^ERROR")) == 1
    assert stats(agent)["acknowledged"] == 0


def test_a_whitelist_that_cannot_be_shown_in_force_gets_nothing_published(jabberd2_with_mod_pep, workdir,
                                                                          agent_factory):
    # mod_pep takes no node configuration and lists no affiliations: whoever may read the node
    # cannot be shown, so the agent does not publish there (fail closed), and says why.
    server = jabberd2_with_mod_pep
    config = agent_config(server, workdir, access_model="whitelist", retry_initial="1s", retry_max="2s")
    agent = agent_factory(config).start()
    agent.wait_online()
    agent.wait_for_log(r"^ERROR +publish: cannot read the affiliations of node 'urn:xmpp:iot:sensordata' "
                       r"\(error reply: feature-not-implemented\): nothing is published")
    # Set up again after each hold, and refused again: still nothing published.
    agent.wait_for_log(r"^DEBUG +publish: cannot read the affiliations .* \(again\); next try in 2\.0s")
    assert not agent.matching(r"publishing item")
    assert stats(agent)["acknowledged"] == 0
    assert len(agent.matching(r"^ERROR")) == 1
