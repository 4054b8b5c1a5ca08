"""XEP-0050 ad-hoc commands from a slixmpp Peer: one request of a command session, and the
values of the form that comes back."""
from slixmpp.plugins.xep_0050.stanza import Command


def run_command(peer, jid, node, action="execute", session=None, fields=None):
    """One request of a command session; `fields` become a submitted form. Returns the
    `<command/>` of the answer (an IqError is raised for error answers)."""
    payload = None
    if fields is not None:
        payload = peer.client.plugin["xep_0004"].make_form(ftype="submit")
        for var, value in fields.items():
            if isinstance(value, list):  # several values: a list-multi field
                payload.add_field(var=var, ftype="list-multi", value=value)
            else:
                payload.add_field(var=var, value=value)
    iq = peer.run(lambda: peer.client.plugin["xep_0050"].send_command(
        jid, node, action=action, payload=payload, sessionid=session))
    # A command of its own on the same XML, not `iq["command"]`: a slixmpp stanza keeps its
    # plugins (the form) by language, and takes its language from its parent through a weak
    # reference. The IQ carries xml:lang, so once the peer's loop thread let the IQ go,
    # `command["form"]` looked under no language, found nothing and made an empty form
    # (KeyError: 'serial_number', 'sensors'): a race between the test and that thread.
    return Command(xml=iq["command"].xml)


def values(form):
    return {var: field.get_value(convert=False) for var, field in form.get_fields().items()}
