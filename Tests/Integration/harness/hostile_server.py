"""A deliberately hostile XMPP "server" for robustness tests.

It speaks just enough XMPP over direct TLS (a certificate from the test PKI) for the agent to
reach the point where it parses what the server sends, then sends one kind of hostile input per
connection, records what the agent answered, and waits for the agent to close. Run it in a
thread inside the test process: `HostileServer(pki, scenarios).start()`."""
import socket
import ssl
import threading

STREAM_HEADER = ("<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                 "xmlns:stream='http://etherx.jabber.org/streams' id='hostile' from='kinglet.test' version='1.0'>")

BILLION_LAUGHS = ("<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'>"
                  + "".join(f"<!ENTITY lol{i} '{'&lol' + str(i - 1) + ';' if i > 1 else '&lol;'}" * 10 + "'>"
                            for i in range(1, 10))
                  + "]><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
                    "id='h' from='kinglet.test' version='1.0'><message><body>&lol9;</body></message>")

# Each scenario is what the server sends after the agent's stream header.
SCENARIOS = {
    # Mismatched end tag inside a stanza.
    "malformed": STREAM_HEADER + "<message from='x@kinglet.test'><body>hello</bodyy></message>",
    # A DTD with nested entities, sent instead of the plain stream header.
    "billion-laughs": BILLION_LAUGHS,
    # An external entity pointing at a local file.
    "external-entity": ("<?xml version='1.0'?><!DOCTYPE s [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]>"
                        + STREAM_HEADER[len("<?xml version='1.0'?>"):] + "<message><body>&xxe;</body></message>"),
    # A single 1 MiB stanza, far above the agent's 256 KiB cap.
    "oversized": STREAM_HEADER + "<message><body>" + "A" * (1 << 20) + "</body></message>",
    # Nothing at all after the client's header: a server that accepted and went quiet.
    "silent": "",
    # A processing instruction between stanzas.
    "processing-instruction": STREAM_HEADER + "<?evil data?>",
}


class HostileServer:
    def __init__(self, pki, scenarios, redirect_to=None):
        self.pki = pki
        self.scenarios = list(scenarios)
        self.redirect_to = redirect_to
        self.received = []  # what the agent sent on each connection, decoded
        self.connections = 0
        self.lock = threading.Lock()
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(pki.cert_file, pki.key_file)
        self._stop = False

    def start(self):
        threading.Thread(target=self._serve, daemon=True).start()
        return self

    def stop(self):
        self._stop = True
        self.listener.close()

    def _serve(self):
        while not self._stop:
            try:
                raw, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                index = self.connections
                self.connections += 1
            scenario = self.scenarios[index % len(self.scenarios)]
            threading.Thread(target=self._handle, args=(raw, scenario), daemon=True).start()

    def _handle(self, raw, scenario):
        data = b""
        try:
            raw.settimeout(20)
            conn = self.context.wrap_socket(raw, server_side=True)
            # Wait for the agent's stream header before answering.
            while b"<stream:stream" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
            try:
                conn.sendall(self._payload(scenario).encode())
            except OSError:
                pass  # the agent may close before reading everything: that is what we test
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
        except (OSError, ssl.SSLError):
            pass
        finally:
            with self.lock:
                self.received.append((scenario, data.decode("utf-8", "replace")))
            raw.close()

    def _payload(self, scenario):
        if scenario == "see-other-host":
            # A well-behaved redirect (RFC 6120 §4.9.3.19) to the real server.
            return (STREAM_HEADER + "<stream:error><see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>"
                    + self.redirect_to + "</see-other-host></stream:error></stream:stream>")
        return SCENARIOS[scenario]

    def results(self):
        with self.lock:
            return list(self.received)
