#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (Tests/Fuzz/Corpus/<target>/seed-*) from the tests' own
inputs: the stream fixtures and hostile XML of XMLStreamTests, the RFC 5802/7677 SCRAM exchanges of
the negotiation tests, the shipped profiles and example config, the XEP payloads the handler tests
use. `capture_traffic.py` adds traffic captured from a real Prosody and real clients (captured-*).
Files the fuzzer found (crash-*, regressions) are never touched. Run from anywhere:
`python3 Tests/Fuzz/seeds.py`."""
import base64
import glob
import hashlib
import hmac
import os
import struct

FUZZ = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(FUZZ))
CORPUS = os.path.join(FUZZ, "Corpus")

HEADER = ("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
          "id='c2s-4f1a' from='example.org' version='1.0' xml:lang='en'>")
TLS = "urn:ietf:params:xml:ns:xmpp-tls"
SASL = "urn:ietf:params:xml:ns:xmpp-sasl"
BIND = "urn:ietf:params:xml:ns:xmpp-bind"
SM = "urn:xmpp:sm:3"


def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "seed-" + name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


# --- xml-stream: [settings][chunk lengths][stream bytes]

STANZAS = [
    "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><required/></bind>"
    "<session xmlns='urn:ietf:params:xml:ns:xmpp-session'><optional/></session><sm xmlns='urn:xmpp:sm:3'/>"
    "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='http://prosody.im' ver='q07IKJEyjvHSyhy//CH0CxmKi8w='/>"
    "</stream:features>",
    "<iq type='result' id='b1' to='dev@example.org/kinglet'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
    "<jid>dev@example.org/kinglet</jid></bind></iq>",
    "<message from='alice@example.org/phone' to='dev@example.org/kinglet' type='chat' id='m1' xml:lang='de'>"
    "<body>read temp &amp; humidity &lt;now&gt; \u2013 gr\u00fc\u00df dich \U0001F321</body>"
    "<active xmlns='http://jabber.org/protocol/chatstates'/></message>",
    "<iq type='get' id='S1' from='alice@example.org/phone' to='dev@example.org/kinglet'>"
    "<req xmlns='urn:xmpp:iot:sensordata' seqnr='1' momentary='true'><field name='Temperature'/></req></iq>",
    "<presence from='alice@example.org/phone'><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' "
    "node='https://gajim.org' ver='T7fOZrtBnV8sDA2fFTS59vBhPU4='/><x xmlns='vcard-temp:x:update'><photo/></x></presence>",
    "<message from='sensor-2@example.org' to='dev@example.org/kinglet'>"
    "<event xmlns='http://jabber.org/protocol/pubsub#event'><items node='urn:xmpp:iot:sensordata'><item id='r7'>"
    "<fields xmlns='urn:xmpp:iot:sensordata' seqnr='7' done='true'><node nodeId='Dev01'>"
    "<timestamp value='2024-01-01T12:00:00Z'>\n  <numeric name='Temperature' momentary='true' "
    "automaticReadout='true' value='23.4' unit='\u00b0C'/>\n  <boolean name='Door' status='true' value='false'/>\n"
    "</timestamp></node></fields></item></items></event>"
    "<delay xmlns='urn:xmpp:delay' stamp='2024-01-01T12:00:00Z'/></message>",
    "<r xmlns='urn:xmpp:sm:3'/>",
    "<a xmlns='urn:xmpp:sm:3' h='4294967295'/>",
    "<iq type='set' id='push1'><query xmlns='jabber:iq:roster' ver='v9'><item jid='bob@example.org' "
    "subscription='both' name='Bob &apos;the builder&apos; &amp; co'><group>Friends</group></item></query></iq>",
    "<message type='chat'><body>x <![CDATA[< y && ]]>z]]&gt;</body><x:info xmlns:x='urn:example:x' x:kind='a'/></message>",
    "<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
    "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>Replaced by new connection</text></stream:error>",
]

HOSTILE = [
    "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
    "<stream:stream xmlns:stream='http://etherx.jabber.org/streams'><m>&x;</m>",
    "<message><body>&nbsp;</body></message>",
    "<message id='&foo;'/>",
    "<message><?php echo 1; ?></message>",
    "<message><!-- hi --></message>",
    "<message><body></message></body>",
    "<foo:message/>",
    "<message id='1' id='2'/>",
    "<message><body>&#0;&#xD800;\x01</body></message>",
    "<!DOCTYPE x><message/>",
    "<a>" * 70 + "</a>" * 70,
    "<message><body>" + "x" * 5000 + "</body></message>",
    "<message xmlns:p='urn:p' p:a='1' xmlns:q='urn:p' q:a='2'/>",
    "<message xml:lang='en' xmlns='jabber:server'><body xmlns=''>empty default</body></message>",
]


def xml_stream_seeds():
    stream = "".join(STANZAS) + "</stream:stream>"
    data = stream.encode()
    write("xml-stream", "whole", b"\x00" + data)
    # Cut inside the first tag, inside a UTF-8 sequence and inside an entity reference.
    cuts = [3, 1, data.index("\u2013".encode()) + 1 - 4, 7, 250, 0]
    write("xml-stream", "split", bytes([len(cuts)]) + bytes(min(c, 255) for c in cuts) + data)
    write("xml-stream", "small-limits", b"\x40" + data)
    write("xml-stream", "tiny-limits", b"\x80" + "<iq><a><b><c/></b></a></iq>".encode())
    for i, text in enumerate(STANZAS):
        write("xml-stream", f"stanza-{i}", b"\xc2\x05\x00" + text.encode())
    for i, text in enumerate(HOSTILE):
        write("xml-stream", f"hostile-{i}", b"\x00" + text.encode())
    write("xml-stream", "close", b"\x00</stream:stream>")


# --- negotiation: [settings][u16 length, segment]...

def scram_exchange(digest, client_nonce, server_nonce, salt, iterations, user="user", password="pencil"):
    """RFC 5802 from the server's side: its first message and its final `v=` message."""
    h = getattr(hashlib, digest)
    first_bare = f"n={user},r={client_nonce}"
    server_first = f"r={client_nonce}{server_nonce},s={base64.b64encode(salt).decode()},i={iterations}"
    without_proof = f"c=biws,r={client_nonce}{server_nonce}"
    auth = f"{first_bare},{server_first},{without_proof}".encode()
    salted = hashlib.pbkdf2_hmac(digest, password.encode(), salt, iterations)
    server_key = hmac.new(salted, b"Server Key", h).digest()
    signature = hmac.new(server_key, auth, h).digest()
    return server_first, "v=" + base64.b64encode(signature).decode()


def segments(settings, *parts):
    out = bytes([settings])
    for part in parts:
        data = part.encode()
        out += struct.pack(">H", len(data)) + data
    return out


def features(*children):
    return "<stream:features>" + "".join(children) + "</stream:features>"


def mechanisms(*names):
    return f"<mechanisms xmlns='{SASL}'>" + "".join(f"<mechanism>{n}</mechanism>" for n in names) + "</mechanisms>"


def b64(text):
    return base64.b64encode(text.encode()).decode()


NONCE = "fyko+d2lbbFgONRv9qkxdawL"
BOUND = (f"<iq type='result' id='bind'><bind xmlns='{BIND}'><jid>user@example.org/kinglet-42</jid></bind></iq>")
ONLINE = ("<r xmlns='urn:xmpp:sm:3'/><message from='alice@example.org/phone' type='chat'><body>status</body></message>"
          "<a xmlns='urn:xmpp:sm:3' h='1'/><a xmlns='urn:xmpp:sm:3' h='7'/>")


def negotiation_seeds():
    sha1_first, sha1_final = scram_exchange("sha1", NONCE, "3rfcNHYJY1ZVvWVs7j", base64.b64decode("QSXCR+Q6sek8bf92"), 4096)
    sha256_first, sha256_final = scram_exchange("sha256", NONCE, "%hvYDpWUa2RaTCAfuxFIlj)hNlF", b"W22ZaJ0SNY7soEsUEjb6gQ==", 4096)
    starttls = [HEADER + features(f"<starttls xmlns='{TLS}'><required/></starttls>"), f"<proceed xmlns='{TLS}'/>"]
    after_sasl = [HEADER + features(f"<bind xmlns='{BIND}'/>", f"<sm xmlns='{SM}'/>"), BOUND,
                  f"<enabled xmlns='{SM}' id='sm-1' resume='true' max='120'/>", ONLINE]
    write("negotiation", "starttls-scram-sha1", segments(0, *starttls, HEADER + features(mechanisms("PLAIN", "SCRAM-SHA-1")),
          f"<challenge xmlns='{SASL}'>{b64(sha1_first)}</challenge>", f"<success xmlns='{SASL}'>{b64(sha1_final)}</success>",
          *after_sasl))
    write("negotiation", "direct-tls-scram-sha256", segments(1, HEADER + features(mechanisms("SCRAM-SHA-1", "SCRAM-SHA-256")),
          f"<challenge xmlns='{SASL}'>{b64(sha256_first)}</challenge>", f"<success xmlns='{SASL}'>{b64(sha256_final)}</success>",
          *after_sasl))
    write("negotiation", "plain-session-no-sm", segments(1, HEADER + features(mechanisms("PLAIN")), f"<success xmlns='{SASL}'/>",
          HEADER + features(f"<bind xmlns='{BIND}'/>", "<session xmlns='urn:ietf:params:xml:ns:xmpp-session'/>"),
          BOUND, "<iq type='result' id='sess'/>", ONLINE))
    write("negotiation", "external", segments(1 | 4 | 8, HEADER + features(mechanisms("EXTERNAL", "PLAIN")),
          f"<success xmlns='{SASL}'>=</success>", *after_sasl))
    write("negotiation", "resumed", segments(1 | 2, HEADER + features(mechanisms("PLAIN")), f"<success xmlns='{SASL}'/>",
          HEADER + features(f"<bind xmlns='{BIND}'/>", f"<sm xmlns='{SM}'/>"),
          f"<resumed xmlns='{SM}' previd='sm-1' h='3'/>", ONLINE))
    write("negotiation", "resumption-failed", segments(1 | 2, HEADER + features(mechanisms("PLAIN")), f"<success xmlns='{SASL}'/>",
          HEADER + features(f"<bind xmlns='{BIND}'/>", f"<sm xmlns='{SM}'/>"),
          f"<failed xmlns='{SM}' h='2'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>",
          BOUND, f"<failed xmlns='{SM}'/>"))
    write("negotiation", "sasl-failure", segments(1, HEADER + features(mechanisms("SCRAM-SHA-1")),
          f"<failure xmlns='{SASL}'><not-authorized/><text>bad</text></failure>"))
    write("negotiation", "bad-server-signature", segments(1, HEADER + features(mechanisms("SCRAM-SHA-1")),
          f"<challenge xmlns='{SASL}'>{b64(sha1_first)}</challenge>", f"<success xmlns='{SASL}'>{b64('v=AAAA')}</success>"))
    write("negotiation", "no-tls", segments(0, HEADER + features(mechanisms("PLAIN"))))
    write("negotiation", "see-other-host", segments(0, HEADER + "<stream:error><see-other-host "
          "xmlns='urn:ietf:params:xml:ns:xmpp-streams'>[2001:db8::1]:5222</see-other-host></stream:error>"))
    write("negotiation", "bind-error", segments(1, HEADER + features(mechanisms("PLAIN")), f"<success xmlns='{SASL}'/>",
          HEADER + features(f"<bind xmlns='{BIND}'/>"), "<iq type='error' id='bind'><error type='cancel'>"
          "<conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>"))


# --- config: TOML text

def config_seeds():
    paths = [os.path.join(REPO, "Config", "kinglet.example.toml")] + sorted(glob.glob(os.path.join(REPO, "Devices", "*.toml")))
    paths += sorted(glob.glob(os.path.join(REPO, "Tests", "Kernel", "guest", "*.toml")))
    for path in paths:
        with open(path, "rb") as f:
            write("config", os.path.basename(os.path.dirname(path)).lower() + "-" + os.path.basename(path), f.read())
    write("config", "full-agent.toml", """[xmpp]
jid = "sensor-7@example.org/lab"
password = "s3cret"
host = "127.0.0.1"
port = 5222
direct_tls = false
pin_sha256 = ["sha256/47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="]
connect_timeout = "15s"
reconnect_initial = "1s"
reconnect_max = "60s"
max_stanza_size = "256KiB"

[device]
profile = "simulated"
interval = "50ms"
seed = 7
node = "greenhouse"

[access]
operators = ["alice@example.org"]
viewers = ["example.org", "bob@example.net"]

[store]
path = "/var/lib/kinglet/kinglet.db"
synchronous = "normal"
max_readings = 1000000
max_bytes = "128MiB"
max_age = "7d"
overflow = "reject_new"
history_max_readings = 5000
history_max_age = "2h"
commit_interval = "0s"
memory_max_readings = 10000
retry_interval = "30s"

[publish]
mode = "pubsub"
service = "pubsub.example.org"
access_model = "whitelist"
window = 64
request_timeout = "30s"

[presence]
status = "{health} \u00b7 {sensors} sensors, {pending} pending {{raw}}"
priority = -1
failing_show = "xa"

[log]
level = "debug"
timestamps = true

[fleet]
room = "fleet@conference.example.org"
nick = "sensor-7"
""")
    write("config", "deep-key.toml", "a." * 8000 + "a = 1\n")  # once 6 s and 600 MB; refused since
    write("config", "toml-features.toml", """# every TOML form
title = 'literal'
multi = \"\"\"
a "quoted" \\u00e9 \\U0001F600 line\"\"\"
raw = '''x\\y'''
ints = [0x1F, 0o17, 0b101, +1_000, -0]
floats = [6.626e-34, inf, -nan, 1.5]
dates = [1979-05-27T07:32:00Z, 1979-05-27T00:32:00.999999-07:00, 1979-05-27, 07:32:00]
inline = { a.b = 1, "c d" = [1, [2, {e = 3}]] }
site."google.com" = true
[a.b.c]
d = 1
[[fruit]]
name = "apple"
[[fruit.variety]]
name = "red"
[[fruit]]
name = "banana"
""")


# --- scram: [digest][server-first]\\0[server-final], iterations within 1...64

def scram_seeds():
    for digest, flag in (("sha1", 0), ("sha256", 1)):
        first, final = scram_exchange(digest, NONCE, "3rfcNHYJY1ZVvWVs7j", b"salty-salt", 16)
        write("scram", f"{digest}-verified", bytes([flag]) + first.encode() + b"\0" + final.encode())
        write("scram", f"{digest}-error", bytes([flag]) + first.encode() + b"\0e=invalid-proof")
    write("scram", "extension", b"\0r=" + NONCE.encode() + b"x,s=QSXCR+Q6sek8bf92,i=64,m=ext\0v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")
    write("scram", "wrong-nonce", b"\0r=other,s=QSXCR+Q6sek8bf92,i=4\0v=")
    write("scram", "too-many-iterations", b"\1r=" + NONCE.encode() + b"abc,s=c2FsdA==,i=4096")


# --- dns-srv: an answer message

def dns_name(name):
    if name == ".":
        return b"\0"
    return b"".join(bytes([len(label)]) + label.encode() for label in name.split(".")) + b"\0"


def dns_message(answers, question="_xmpp-client._tcp.example.org", extra=b""):
    header = struct.pack(">HHHHHH", 0x1234, 0x8180, 1, len(answers), 0, 0)
    body = header + dns_name(question) + struct.pack(">HH", 33, 1)
    for priority, weight, port, target in answers:
        rdata = struct.pack(">HHH", priority, weight, port) + (target if isinstance(target, bytes) else dns_name(target))
        body += b"\xc0\x0c" + struct.pack(">HHIH", 33, 1, 300, len(rdata)) + rdata
    return body + extra


def dns_seeds():
    write("dns-srv", "two-targets", dns_message([(5, 0, 5222, "xmpp1.example.org"), (10, 60, 5222, "xmpp2.example.org"),
                                                 (10, 20, 5223, "xmpp3.example.org")]))
    write("dns-srv", "not-offered", dns_message([(0, 0, 0, ".")]))
    write("dns-srv", "compressed-target", dns_message([(1, 1, 5222, b"\x04xmpp\xc0\x19")]))
    write("dns-srv", "pointer-loop", dns_message([(1, 1, 5222, b"\xc0\x2b")]))
    write("dns-srv", "truncated", dns_message([(1, 1, 5222, "a.example.org")])[:-5])
    write("dns-srv", "zero-weights", dns_message([(0, 0, 5222, "a.example.org"), (0, 0, 5222, "b.example.org"),
                                                  (0, 65535, 5222, "c.example.org")]))


# --- dates: XEP-0082 text

def date_seeds():
    for i, text in enumerate(["2024-01-01T12:00:00Z", "2024-02-29T23:59:59.999Z", "1969-12-31T23:59:59.5-01:30",
                              "2038-01-19T03:14:08+14:00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.123456789Z",
                              "2024-01-01T12:00:00", "2024-13-01T00:00:00Z", "2021-02-29T00:00:00Z"]):
        write("dates", f"{i}", text)


# --- iot-payloads: one element

IOT = [
    "<iq type='get' id='S1'><req xmlns='urn:xmpp:iot:sensordata' seqnr='1' momentary='true' historical='true' "
    "from='2024-01-01T00:00:00Z' to='2024-01-02T00:00:00Z' when='2024-01-01T00:00:05Z'><node nodeId='simulated'/>"
    "<field name='temperature'/></req></iq>",
    "<iq type='set' id='C1'><set xmlns='urn:xmpp:iot:control'><node nodeId='simulated'/><boolean name='relay' value='true'/>"
    "<int name='dimmer' value='40'/><string name='mode' value='manual'/><double name='x' value='1e3'/>"
    "<duration name='d' value='PT1H'/><color name='c' value='FF0000'/></set></iq>",
    "<message><fields xmlns='urn:xmpp:iot:sensordata' seqnr='7' done='true'><node nodeId='Dev01'>"
    "<timestamp value='2024-01-01T12:00:00Z'><numeric name='Temperature' momentary='true' automaticReadout='true' "
    "value='23.4' unit='C'/><boolean name='Door' status='true' value='false'/><int name='n' value='-3'/>"
    "<long name='l' value='9223372036854775807'/><enum name='e' value='a' dataType='t'/><dateTime name='t' "
    "value='2024-01-01T00:00:00Z'/><timeSpan name='s' value='PT5S'/><string name='s2' value='x' writable='true'/>"
    "</timestamp></node></fields></message>",
    "<item id='1234'><fields xmlns='urn:xmpp:iot:sensordata' seqnr='1234' done='true'>"
    "<delay xmlns='urn:xmpp:delay' stamp='2026-11-21T08:30:00.050Z' from='sensor-7@example.org'/>"
    "<batch xmlns='urn:kinglet:outbox:0' first='1234' last='1236'/><node nodeId='simulated'>"
    "<timestamp value='2026-11-21T08:30:00.050Z'><numeric name='temperature' momentary='true' automaticReadout='true' "
    "value='21.53' unit='\u00b0C'/></timestamp></node></fields></item>",
    "<message><event xmlns='http://jabber.org/protocol/pubsub#event'><items node='urn:xmpp:iot:sensordata'>"
    "<item id='1'><fields xmlns='urn:xmpp:iot:sensordata' seqnr='1'/></item><retract id='2'/></items></event></message>",
    "<iq type='set'><command xmlns='http://jabber.org/protocol/commands' node='set-control' sessionid='s1' action='next'>"
    "<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>urn:xmpp:iot:control</value></field>"
    "<field var='xdd session'><value>s1</value></field><field var='relay' type='boolean'><value>1</value></field>"
    "<field var='dimmer' type='text-single'><value>55</value></field><field var='mode' type='list-single'>"
    "<value>auto</value><option label='Auto'><value>auto</value></option></field></x></command></iq>",
    "<iq type='result'><pubsub xmlns='http://jabber.org/protocol/pubsub#owner'><affiliations node='n'>"
    "<affiliation jid='alice@example.org' affiliation='member'/><affiliation jid='x' affiliation='outcast'/>"
    "</affiliations></pubsub></iq>",
    "<iq type='result'><query xmlns='http://jabber.org/protocol/disco#info' node='n#ver'>"
    "<identity category='client' type='bot' name='Kinglet' xml:lang='en'/><feature var='urn:xmpp:iot:sensordata'/>"
    "<feature var='http://jabber.org/protocol/pubsub#publish-options'/>"
    "<x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE' type='hidden'><value>urn:xmpp:dataforms:softwareinfo</value>"
    "</field><field var='os'><value>Linux</value></field></x></query></iq>",
    "<iq type='result'><pubsub xmlns='http://jabber.org/protocol/pubsub'><publish node='n'><item id='42'/></publish></pubsub></iq>",
    "<presence from='fleet@conference.example.org/sensor-7' type='unavailable'><x xmlns='http://jabber.org/protocol/muc#user'>"
    "<item affiliation='none' role='none' jid='sensor-7@example.org/kinglet'><reason>bye</reason></item>"
    "<status code='110'/><status code='307'/></x></presence>",
    "<iq type='set'><query xmlns='jabber:iq:roster'><item jid='bob@example.org' subscription='from' ask='subscribe'/></query></iq>",
    "<iq type='error'><error type='modify' by='example.org'><bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
    "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>no</text><paramError xmlns='urn:xmpp:iot:control' var='dimmer'>x</paramError>"
    "</error></iq>",
]


def iot_seeds():
    for i, text in enumerate(IOT):
        write("iot-payloads", f"{i}", text)


# --- router: [who][u16 length, stanza]... (who: 0 operator, 1 viewer, 2 stranger, 3 server)

DEVICE = "sensor@example.org/kinglet"
SD = "urn:xmpp:iot:sensordata"
CTL = "urn:xmpp:iot:control"
CMD = "http://jabber.org/protocol/commands"


def iq(kind, id, payload):
    return f"<iq type='{kind}' id='{id}' to='{DEVICE}'>{payload}</iq>"


def chat(body):
    return f"<message type='chat' to='{DEVICE}' id='c1'><body>{body}</body></message>"


def records(*items):
    out = b""
    for who, text in items:
        data = text.encode()
        out += bytes([who]) + struct.pack(">H", len(data)) + data
    return out


READS = [
    iq("get", "r1", f"<req xmlns='{SD}' seqnr='1' momentary='true'/>"),
    iq("get", "r2", f"<req xmlns='{SD}' seqnr='2' all='true'><node nodeId='simulated'/><field name='temperature'/></req>"),
    iq("get", "r3", f"<req xmlns='{SD}' seqnr='3' historical='true' from='2023-11-14T22:13:00Z' to='2023-11-14T22:14:00Z'/>"),
    iq("get", "r4", f"<req xmlns='{SD}' seqnr='4' momentary='true' when='2023-11-14T23:13:20Z'/>"),
    iq("get", "r5", f"<cancel xmlns='{SD}' seqnr='4'/>"),
    iq("get", "d1", "<query xmlns='http://jabber.org/protocol/disco#info'/>"),
    iq("get", "d2", "<query xmlns='http://jabber.org/protocol/disco#items'/>"),
    iq("get", "d3", f"<query xmlns='http://jabber.org/protocol/disco#items' node='{CMD}'/>"),
    iq("get", "d4", "<query xmlns='http://jabber.org/protocol/disco#info' node='temperature'/>"),
    iq("get", "v1", "<query xmlns='jabber:iq:version'/>"),
    iq("get", "p1", "<ping xmlns='urn:xmpp:ping'/>"),
    iq("get", "l1", "<query xmlns='jabber:iq:last'/>"),
    chat("status"), chat("read temperature"), chat("help"), chat("xyzzy"),
]
CONTROLS = [
    iq("set", "s1", f"<set xmlns='{CTL}'><boolean name='relay' value='true'/><int name='dimmer' value='40'/></set>"),
    iq("set", "s2", f"<set xmlns='{CTL}'><int name='dimmer' value='150'/></set>"),
    iq("get", "s3", f"<getForm xmlns='{CTL}'/>"),
    f"<message to='{DEVICE}'><set xmlns='{CTL}'><string name='mode' value='manual'/></set></message>",
    iq("set", "a1", f"<command xmlns='{CMD}' node='read-sensors' action='execute'/>"),
    iq("set", "a2", f"<command xmlns='{CMD}' node='set-control' action='execute'/>"),
    iq("set", "a3", f"<command xmlns='{CMD}' node='set-control' sessionid='x' action='next'><x xmlns='jabber:x:data' "
       "type='submit'><field var='control'><value>relay</value></field></x></command>"),
    iq("set", "a4", f"<command xmlns='{CMD}' node='device-info'/>"),
    iq("set", "a5", f"<command xmlns='{CMD}' node='restart-agent' action='execute'/>"),
    chat("set relay on"), chat("set dimmer 150"),
]
SERVER = [
    iq("set", "push1", "<query xmlns='jabber:iq:roster'><item jid='bob@example.org' subscription='both'/></query>"),
    "<presence type='subscribe' from='carol@example.org' to='sensor@example.org'/>",
    "<iq type='result' id='unknown'/>",
    "<iq type='error' id='r1'><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
]


def router_seeds():
    write("router", "operator-reads", records(*((0, s) for s in READS)))
    write("router", "operator-controls", records(*((0, s) for s in CONTROLS)))
    write("router", "viewer", records(*((1, s) for s in READS + CONTROLS)))
    write("router", "stranger", records(*((2, s) for s in READS + CONTROLS),
                                        (2, "<presence type='subscribe' to='sensor@example.org'/>")))
    write("router", "server", records(*((3, s) for s in SERVER)))
    write("router", "mixed", records((0, READS[0]), (2, CONTROLS[0]), (1, CONTROLS[3]), (0, CONTROLS[4]), (0, CONTROLS[5]),
                                     (3, SERVER[1]), (1, "<presence type='subscribe' to='sensor@example.org'/>")))


if __name__ == "__main__":
    xml_stream_seeds()
    negotiation_seeds()
    config_seeds()
    scram_seeds()
    dns_seeds()
    date_seeds()
    iot_seeds()
    router_seeds()
    for target in sorted(os.listdir(CORPUS)):
        print(f"{target}: {len(os.listdir(os.path.join(CORPUS, target)))} files")
