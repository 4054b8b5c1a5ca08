"""A fake XMPP server that records everything a client sends, to prove what the agent does NOT
send: no credentials after a failed certificate check, no PLAIN without TLS.

Modes:
- "tls": direct TLS with the given certificate, then a stream header and features offering
  PLAIN and SCRAM, as a real server would; records the decrypted bytes.
- "plaintext-plain": no TLS at all; offers only PLAIN, no STARTTLS; records the bytes.
- "plaintext-inject": the same, with stanzas right behind the features that an attacker on the
  path would inject: an operator's chat command, a control IQ, a stream-management ack. The agent
  must refuse the stream and act on none of them."""
import socket
import ssl
import threading

FEATURES = ("<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
            "xmlns:stream='http://etherx.jabber.org/streams' id='c1' from='kinglet.test' version='1.0'>"
            "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
            "<mechanism>PLAIN</mechanism><mechanism>SCRAM-SHA-1</mechanism></mechanisms></stream:features>")


# Spoofed as from the operator and, with no `from`, as from the server itself.
INJECTED = ("<message from='alice@kinglet.test/x' type='chat' id='inj1'><body>set relay on</body></message>"
            "<iq type='set' id='inj2'><set xmlns='urn:xmpp:iot:control'><boolean name='relay' value='true'/></set></iq>"
            "<iq type='get' id='inj3' from='alice@kinglet.test/x'><query xmlns='jabber:iq:version'/></iq>"
            "<a xmlns='urn:xmpp:sm:3' h='7'/>")


class CaptureServer:
    def __init__(self, mode, cert_file=None, key_file=None):
        self.mode = mode
        self.data = []  # bytes received per connection
        self.handshake_errors = []
        self.connections = 0
        self.lock = threading.Lock()
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.context = None
        self.features = FEATURES + (INJECTED if mode == "plaintext-inject" else "")
        if mode == "tls":
            self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self.context.load_cert_chain(cert_file, key_file)

    def start(self):
        threading.Thread(target=self._serve, daemon=True).start()
        return self

    def stop(self):
        self.listener.close()

    def _serve(self):
        while True:
            try:
                raw, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                self.connections += 1
            threading.Thread(target=self._handle, args=(raw,), daemon=True).start()

    def _handle(self, raw):
        received = b""
        try:
            raw.settimeout(20)
            conn = raw
            if self.context:
                try:
                    conn = self.context.wrap_socket(raw, server_side=True)
                except (ssl.SSLError, OSError) as e:
                    with self.lock:
                        self.handshake_errors.append(str(e))
                    return
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                received += chunk
                if b"<stream:stream" in received and self.features.encode() not in received:
                    conn.sendall(self.features.encode())
                    received += self.features.encode()  # marker so the features go out once
        except OSError:
            pass
        finally:
            with self.lock:
                self.data.append(received.replace(self.features.encode(), b"").decode("utf-8", "replace"))
            raw.close()

    def everything_received(self):
        with self.lock:
            return "".join(self.data)
