"""Issue 11: `[xmpp] servers`, several endpoints tried in order, against a real Prosody (the
two-node ejabberd cluster test is Tests/Cluster, `make test-cluster`)."""
from harness.agent import base_config
from harness.capture_server import CaptureServer
from harness.tcp_proxy import TcpProxy
from harness.wait import free_port, wait_until


def servers_config(prosody, workdir, servers, **xmpp):
    config = base_config(prosody, workdir, **xmpp)
    del config["xmpp"]["host"], config["xmpp"]["port"]
    config["xmpp"]["servers"] = servers
    return config


def test_a_server_that_refuses_is_passed_over_in_the_same_attempt(prosody, workdir, agent_factory):
    closed = free_port()  # nothing listens: connection refused
    # "localhost" is not the JID's domain (kinglet.test): the certificate is checked against the
    # domain, whichever server answers.
    config = servers_config(prosody, workdir, [f"127.0.0.1:{closed}", f"localhost:{prosody.c2s_port}"])
    agent = agent_factory(config).start()
    agent.wait_online()
    assert agent.matching(rf"^WARN .*127\.0\.0\.1:{closed}")
    assert agent.matching(rf"connected to localhost:{prosody.c2s_port}\b")
    assert not agent.matching(r"reconnecting in")


def test_the_certificate_is_checked_against_the_jids_domain(prosody, workdir, agent_factory):
    fake = CaptureServer("tls", prosody.pki.wrong_name_cert_file, prosody.pki.wrong_name_key_file).start()
    try:
        config = servers_config(prosody, workdir, [f"127.0.0.1:{fake.port}", f"127.0.0.1:{prosody.direct_tls_port}"],
                                direct_tls=True)
        agent = agent_factory(config).start()
        line = agent.wait_for_log(r"^ERROR .*(certificate|TLS|host name)")
        assert "name" in line
        wait_until(lambda: fake.connections >= 1 and (fake.data or fake.handshake_errors),
                   what="the fake server to see the attempt")
        assert fake.everything_received() == ""
        # A server that fails the check ends the attempt: it is not who it claims to be.
        assert not agent.matching(r"online as")
    finally:
        fake.stop()


def test_when_the_server_in_use_goes_away_the_next_one_takes_over(prosody, workdir, agent_factory):
    first, second = TcpProxy(prosody.c2s_port), TcpProxy(prosody.c2s_port)
    try:
        config = servers_config(prosody, workdir, [f"127.0.0.1:{first.port}", f"127.0.0.1:{second.port}"],
                                reconnect_initial="200ms", reconnect_max="1s")
        agent = agent_factory(config).start()
        agent.wait_online()
        assert agent.matching(rf"connected to 127\.0\.0\.1:{first.port}\b")
        mark = agent.mark()
        # The first server goes down: it takes new connections and resets them at once, and the
        # live one is cut.
        first.close()
        first.cut()
        agent.wait_online(after=mark, timeout=20)
        assert agent.matching(rf"connected to 127\.0\.0\.1:{second.port}\b")
        # Back again: the agent stays where it is online, and after a cut tries that server first.
        first.open()
        mark = agent.mark()
        second.cut()
        agent.wait_online(after=mark, timeout=20)
        reconnects = [line for line in agent.log()[mark:] if "connected to" in line]
        assert reconnects and f":{second.port}" in reconnects[0]
    finally:
        first.stop()
        second.stop()
