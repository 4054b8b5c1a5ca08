"""Issue 2: a verified XMPP session over libxml2 and mbedTLS, against a real Prosody (and, for
the logins, ejabberd too)."""
import base64
import os
import re
import signal
import time

import pytest
from slixmpp.plugins.xep_0199 import XEP_0199  # noqa: F401  (plugin must import cleanly)

from conftest import PASSWORDS, start_prosody, start_server
from harness.agent import base_config, run_cli
from harness.capture_server import CaptureServer
from harness.hostile_server import HostileServer
from harness.peers import Peer
from harness.tcp_proxy import TcpProxy
from harness.wait import wait_until


# ejabberd 23.01 and jabberd2 2.7 for interop; each is skipped where it is not installed.
SERVERS = ["prosody", "ejabberd", "jabberd2"]


@pytest.mark.parametrize("kind", SERVERS)
@pytest.mark.parametrize("mechanism", ["SCRAM-SHA-256", "SCRAM-SHA-1"])
def test_scram_login_over_starttls(kind, mechanism, workdir, agent_factory):
    # The accounts are stored for one hash, so the server offers just that SCRAM variant. The
    # c2s port speaks plain XMPP first and requires STARTTLS.
    server = start_server(kind, workdir, scram=mechanism)
    try:
        agent = agent_factory(base_config(server, workdir)).start()
        agent.wait_online()
        agent.wait_for_log(r"TLS established")
        agent.wait_authenticated(mechanism)
    finally:
        server.stop()


@pytest.mark.parametrize("kind", SERVERS)
def test_direct_tls_login(kind, workdir, agent_factory):
    # The direct-TLS port speaks nothing but TLS: being online through it is the proof.
    server = start_server(kind, workdir)
    try:
        agent = agent_factory(base_config(server, workdir, port=server.direct_tls_port, direct_tls=True)).start()
        agent.wait_online()
        agent.wait_authenticated("SCRAM-SHA-256")
    finally:
        server.stop()


def test_plain_is_used_only_inside_tls(workdir, agent_factory):
    server = start_prosody(workdir, disabled_sasl=("DIGEST-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256"))
    try:
        agent = agent_factory(base_config(server, workdir)).start()
        agent.wait_online()
        agent.wait_authenticated("PLAIN")
    finally:
        server.stop()


def test_plain_is_never_sent_without_tls(workdir, agent_factory, prosody):
    fake = CaptureServer("plaintext-plain").start()
    try:
        config = base_config(prosody, workdir, port=fake.port)
        agent = agent_factory(config).start()
        agent.wait_for_log(r"(?i)ERROR .*(TLS|encryption)")
        wait_until(lambda: fake.connections >= 1 and fake.data, what="the fake server to record a session")
        sent = fake.everything_received()
        assert "<auth" not in sent and PASSWORDS["sensor"] not in sent
        assert base64.b64encode(b"\0sensor\0" + PASSWORDS["sensor"].encode()).decode() not in sent
    finally:
        fake.stop()


def test_stanzas_before_tls_are_never_acted_on(workdir, agent_factory, prosody):
    # An attacker on the path strips STARTTLS and, in the same packet, injects an operator's
    # chat command, a control IQ and an XEP-0198 ack. The login fails; none may reach a handler.
    fake = CaptureServer("plaintext-inject").start()
    try:
        agent = agent_factory(base_config(prosody, workdir, port=fake.port)).start()
        agent.wait_for_log(r"(?i)ERROR .*(TLS|encryption)")
        wait_until(lambda: fake.connections >= 1 and fake.data, what="the fake server to record a session")
        agent.wait_for_log(r"dropping <message> received before the login completed")
        assert agent.matching(r"allowed|refused|relay|stream management") == []
        assert "inj" not in fake.everything_received()  # no reply to any injected request
    finally:
        fake.stop()


def test_wrong_ca_is_refused(prosody, workdir, agent_factory):
    agent = agent_factory(base_config(prosody, workdir, ca_file=prosody.pki.rogue_ca_file)).start()
    line = agent.wait_for_log(r"^ERROR .*(certificate|TLS)")
    assert "not trusted" in line or "issuer" in line or "verify" in line.lower()
    assert not agent.matching(r"online as")
    assert "Authenticated as" not in prosody.log_text()
    assert "Failed authentication" not in prosody.log_text()


def test_wrong_host_name_is_refused_and_nothing_sent(prosody, workdir, agent_factory):
    fake = CaptureServer("tls", prosody.pki.wrong_name_cert_file, prosody.pki.wrong_name_key_file).start()
    try:
        agent = agent_factory(base_config(prosody, workdir, port=fake.port, direct_tls=True)).start()
        line = agent.wait_for_log(r"^ERROR .*(certificate|TLS|host name)")
        assert "host name" in line or "name" in line
        wait_until(lambda: fake.connections >= 1 and (fake.data or fake.handshake_errors),
                   what="the fake server to see the attempt")
        assert fake.everything_received() == ""
    finally:
        fake.stop()


def test_wrong_pin_is_refused_and_nothing_sent(prosody, workdir, agent_factory):
    fake = CaptureServer("tls", prosody.pki.cert_file, prosody.pki.key_file).start()
    try:
        wrong_pin = base64.b64encode(b"\x01" * 32).decode()
        agent = agent_factory(base_config(prosody, workdir, port=fake.port, direct_tls=True,
                                          pin_sha256=wrong_pin)).start()
        line = agent.wait_for_log(r"^ERROR .*pin")
        assert prosody.pki.server_pin in line  # the operator can copy the real pin from the log
        wait_until(lambda: fake.data, what="the fake server to record the closed session")
        sent = fake.everything_received()
        assert "<auth" not in sent and "<stream:stream" not in sent
    finally:
        fake.stop()


def test_right_pin_is_accepted(prosody, workdir, agent_factory):
    agent = agent_factory(base_config(prosody, workdir, pin_sha256=prosody.pki.server_pin)).start()
    agent.wait_online()


def test_wrong_password_is_one_clear_error(prosody, workdir, agent_factory):
    agent = agent_factory(base_config(prosody, workdir, password="not-the-password")).start()
    agent.wait_for_log(r"^ERROR .*authentication failed.*not-authorized")
    # It keeps running but does not hammer the server: over a few seconds at most one more try.
    time_window_start = len(re.findall("Failed authentication", prosody.log_text()))
    deadline = time.monotonic() + 4
    while time.monotonic() < deadline and not agent.exited():
        time.sleep(0.2)
    attempts = len(re.findall("Failed authentication", prosody.log_text()))
    assert attempts - time_window_start <= 1
    assert len(agent.matching(r"^ERROR .*authentication failed")) == 1
    assert "not-the-password" not in "\n".join(agent.log())


def test_peer_sees_presence_and_gets_pings_answered(prosody, agent):
    alice = Peer(prosody, "alice", PASSWORDS["alice"]).connect()
    try:
        alice.subscribe_to(prosody.jid("sensor"))
        full = agent.full_jid()
        presence = alice.wait_presence(lambda p: p["from"].bare == prosody.jid("sensor") and p["type"] in ("available", ""))
        assert str(presence["from"]) == full
        result = alice.run(alice.client.plugin["xep_0199"].ping(jid=full, timeout=10))
        assert result is None or result is not False
        rtt = alice.run(lambda: alice.client.plugin["xep_0199"].send_ping(full, timeout=10))
        assert rtt is not None
    finally:
        alice.disconnect()


@pytest.mark.parametrize("kind", ["prosody", "jabberd2"])
def test_reconnects_after_server_restart_within_backoff_bound(kind, workdir, agent_factory):
    server = start_server(kind, workdir)
    try:
        config = base_config(server, workdir)
        config["xmpp"]["reconnect_max"] = "4s"
        agent = agent_factory(config).start()
        agent.wait_online()
        mark = agent.mark()
        server.kill()
        agent.wait_for_log(r"(?i)(connection|stream).*(closed|lost|failed|error)", after=mark)
        time.sleep(2)  # the outage itself: the server is down for this long (not a wait for a condition)
        restarted = time.monotonic()
        server.start()
        agent.wait_online(timeout=4 + 10, after=mark)  # back-off cap + connect/login time
        assert time.monotonic() - restarted < 4 + 10
    finally:
        server.stop()


@pytest.mark.parametrize("scenario,condition", [
    ("malformed", "not-well-formed"),
    ("billion-laughs", "restricted-xml"),
    ("external-entity", "restricted-xml"),
    ("oversized", "policy-violation"),
    ("processing-instruction", "restricted-xml"),
])
def test_hostile_server_gets_the_right_stream_error(prosody, workdir, agent_factory, scenario, condition):
    hostile = HostileServer(prosody.pki, [scenario]).start()
    try:
        config = base_config(prosody, workdir, port=hostile.port, direct_tls=True)
        config["xmpp"]["reconnect_max"] = "1s"
        agent = agent_factory(config).start()
        # Two connections: the error closed the first, and the agent came back for another.
        wait_until(lambda: len(hostile.results()) >= 2, timeout=30, what="two connections from the agent")
        first = hostile.results()[0][1]
        assert f"<{condition} xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>" in first
        assert first.rstrip().endswith("</stream:stream>")
        assert not agent.exited()
        if scenario == "external-entity":
            assert "root:" not in "\n".join(agent.log())
    finally:
        hostile.stop()


def test_a_silent_server_is_given_up_on_and_retried(prosody, workdir, agent_factory):
    hostile = HostileServer(prosody.pki, ["silent"]).start()
    try:
        config = base_config(prosody, workdir, port=hostile.port, direct_tls=True)
        config["xmpp"].update(connect_timeout="1s", reconnect_max="1s")
        agent = agent_factory(config).start()
        agent.wait_for_log(r"did not complete the login within 2\.0s")
        wait_until(lambda: hostile.connections >= 2, timeout=10, what="a second connection attempt")
        assert not agent.exited()
    finally:
        hostile.stop()


def test_a_dead_link_is_found_by_ping_and_the_agent_comes_back(prosody, workdir, agent_factory):
    proxy = TcpProxy(prosody.c2s_port)
    try:
        config = base_config(prosody, workdir, port=proxy.port)
        config["xmpp"].update(ping_interval="2s", ping_timeout="2s", reconnect_max="1s")
        agent = agent_factory(config).start()
        agent.wait_online()
        mark = agent.mark()
        proxy.freeze()  # TCP stays up, nothing gets through: only a ping can tell
        agent.wait_for_log(r"no answer to a ping in 2\.0s", after=mark, timeout=15)
        proxy.freeze(False)
        agent.wait_online(after=mark, timeout=20)
        assert proxy.connections >= 2
    finally:
        proxy.stop()


def test_see_other_host_redirects_to_the_named_server(prosody, workdir, agent_factory):
    hostile = HostileServer(prosody.pki, ["see-other-host"], redirect_to=f"127.0.0.1:{prosody.direct_tls_port}").start()
    try:
        agent = agent_factory(base_config(prosody, workdir, port=hostile.port, direct_tls=True)).start()
        agent.wait_for_log(r"redirects to 127\.0\.0\.1:")
        agent.wait_online()
        assert agent.matching(rf"connected to 127\.0\.0\.1:{prosody.direct_tls_port}\b")
        assert hostile.connections == 1
    finally:
        hostile.stop()


def test_conflict_is_reported_once_and_not_fought(prosody, workdir, agent_factory):
    config = base_config(prosody, workdir)
    config["xmpp"]["reconnect_max"] = "30s"
    agent = agent_factory(config).start()
    agent.wait_online()
    # Another client takes the agent's resource: Prosody kicks the older session with <conflict/>.
    usurper = Peer(prosody, "sensor", PASSWORDS["sensor"], resource="kinglet").connect()
    try:
        agent.wait_for_log(r"^ERROR .*conflict")
        mark = agent.mark()
        time.sleep(3)  # the observation window: a tight loop would reconnect and kick back within it
        assert all("connected to" not in line for line in agent.log()[mark:])
        assert usurper.client.is_connected()
        assert not agent.exited()
    finally:
        usurper.disconnect()


def test_sigterm_sends_unavailable_and_exits_zero(prosody, agent):
    alice = Peer(prosody, "alice", PASSWORDS["alice"]).connect()
    try:
        alice.subscribe_to(prosody.jid("sensor"))
        alice.wait_presence(lambda p: p["from"].bare == prosody.jid("sensor") and p["type"] != "unavailable"
                            and p["type"] != "subscribed")
        agent.signal(signal.SIGTERM)
        assert agent.wait_exit() == 0
        alice.wait_presence(lambda p: p["from"].bare == prosody.jid("sensor") and p["type"] == "unavailable")
        assert agent.matching(r"stream closed")
    finally:
        alice.disconnect()


def test_check_reports_file_and_line(workdir):
    path = os.path.join(workdir, "bad.toml")
    with open(path, "w") as f:
        f.write('[xmpp]\njid = "sensor@kinglet.test"\npassword = "x"\nport = "five"\n')
    result = run_cli("check", "--config", path)
    assert result.returncode != 0
    assert result.stderr.startswith(f"{path}:4: ")
    assert "port" in result.stderr


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0 and re.match(r"kinglet \d+\.\d+\.\d+", result.stdout)
