"""A second, independent client library as the peer: aioxmpp discovers the device, reads its
version and drives an ad-hoc command, as a cloud service written with it would."""
import asyncio

import aioxmpp
import aioxmpp.adhoc
import aioxmpp.disco
import aioxmpp.version
import OpenSSL.SSL

from conftest import PASSWORDS


def run_aioxmpp(prosody, user, body, timeout=30):
    """Logs in as `user` with aioxmpp (trusting the test CA) and runs `body(client)`."""

    def ssl_context():
        return OpenSSL.SSL.Context(OpenSSL.SSL.TLS_CLIENT_METHOD)

    async def main():
        # This test client does not verify the server: aioxmpp 0.13's verifier needs an API that
        # current pyOpenSSL releases removed. The agent, which is what is under test, verifies.
        security = aioxmpp.make_security_layer(PASSWORDS[user], ssl_context_factory=ssl_context, no_verify=True)
        client = aioxmpp.Client(aioxmpp.JID.fromstr(prosody.jid(user)), security)
        client.override_peer = [("127.0.0.1", prosody.c2s_port, aioxmpp.connector.STARTTLSConnector())]
        async with client.connected():
            return await asyncio.wait_for(body(client), timeout)

    return asyncio.run(main())


def test_aioxmpp_discovers_and_drives_the_device(prosody, agent):
    device = aioxmpp.JID.fromstr(agent.full_jid())

    async def body(client):
        disco = client.summon(aioxmpp.disco.DiscoClient)
        info = await disco.query_info(device)
        version = await aioxmpp.version.query_version(client.stream, device)
        adhoc = client.summon(aioxmpp.adhoc.AdHocClient)
        commands = await adhoc.get_commands(device)
        information = next(c for c in commands if "information" in (c.name or "").lower())
        session = await adhoc.execute(device, information.node)
        try:
            payload = session.first_payload
            status = session.status
        finally:
            await session.close()
        return info, version, [c.name for c in commands], status, payload

    info, version, names, status, payload = run_aioxmpp(prosody, "alice", body)
    assert {"urn:xmpp:iot:sensordata", "urn:xmpp:iot:control", "http://jabber.org/protocol/commands"} <= info.features
    assert any(i.category == "client" and i.type_ == "bot" for i in info.identities)
    assert version.name == "Kinglet"
    assert any("Set" in n for n in names)  # alice is an operator: she sees the control commands
    assert status == aioxmpp.adhoc.CommandStatus.COMPLETED
    values = {f.var: f.values for f in payload.fields if f.var}
    assert any("KINGLET-SIM-0001" in v for vs in values.values() for v in vs)


def test_aioxmpp_stranger_is_refused(prosody, agent):
    device = aioxmpp.JID.fromstr(agent.full_jid())

    async def body(client):
        disco = client.summon(aioxmpp.disco.DiscoClient)
        try:
            await disco.query_info(device)
        except aioxmpp.errors.XMPPError as error:
            return error.condition
        return None

    condition = run_aioxmpp(prosody, "mallory", body)
    assert condition == aioxmpp.ErrorCondition.FORBIDDEN
