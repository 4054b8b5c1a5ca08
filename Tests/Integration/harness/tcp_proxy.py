"""A TCP proxy between the agent and Prosody that a test can cut, close and slow down.

TLS and XMPP pass through untouched (the proxy never looks at the bytes), so the agent talks
to the real server; the test decides when the path breaks:

- `cut()` resets every live connection at once (RST both ways, as a lost Wi-Fi link looks to
  the server when its keep-alives finally fail) while the server keeps running;
- `close()` refuses new connections until `open()`: the agent stays offline and backs off;
- `throttle(bytes_per_second)` paces what the agent sends, so that a flush lasts long enough to
  be cut in the middle;
- `freeze()` silently swallows everything in both directions while the TCP connections stay
  up: a dead link that neither side has noticed, which only an application-level ping finds.
"""
import select
import socket
import struct
import threading
import time


class TcpProxy:
    def __init__(self, target_port, target_host="127.0.0.1"):
        self.target = (target_host, target_port)
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self._lock = threading.Lock()
        self._pairs = []
        self._accepting = True
        self._stopped = False
        self._rate = None
        self._frozen = False
        self.connections = 0
        self.refused = 0
        self.bytes_up = 0  # agent -> server
        self.bytes_down = 0  # server -> agent
        threading.Thread(target=self._accept_loop, daemon=True).start()

    # --- what the tests call

    def close(self):
        """New connections are reset at once until `open()`; live ones are left alone."""
        self._accepting = False

    def open(self):
        self._accepting = True

    def cut(self):
        """Resets every live connection (both sides get RST). Returns how many were cut."""
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for s in pair:
                _reset(s)
        return len(pairs)

    def freeze(self, frozen=True):
        """Drops every byte in both directions (connections stay open) until `freeze(False)`."""
        self._frozen = frozen

    def throttle(self, bytes_per_second=None):
        """Limits agent -> server bytes per second (None: no limit)."""
        self._rate = bytes_per_second

    def live(self):
        with self._lock:
            return len(self._pairs)

    def stop(self):
        self._stopped = True
        self.cut()
        try:
            self.listener.close()
        except OSError:
            pass

    # --- the plumbing

    def _accept_loop(self):
        while not self._stopped:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self._accepting:
                self.refused += 1
                _reset(client)
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                _reset(client)
                continue
            server.settimeout(None)
            for s in (client, server):  # forward each chunk at once: no Nagle delay added by the proxy
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._pairs.append((client, server))
                self.connections += 1
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()

    def _pump(self, client, server):
        peers = {client: server, server: client}
        budget_start, sent_in_window = time.monotonic(), 0
        try:
            while True:
                readable, _, _ = select.select([client, server], [], [], 1.0)
                for s in readable:
                    data = s.recv(16384)
                    if not data:
                        raise ConnectionError
                    if self._frozen:
                        continue  # the link is dead: what was sent never arrives
                    if s is client:
                        rate = self._rate
                        if rate:
                            # Keep the average below `rate`: sleep off what this chunk overdraws.
                            sent_in_window += len(data)
                            elapsed = time.monotonic() - budget_start
                            ahead = sent_in_window / rate - elapsed
                            if ahead > 0:
                                time.sleep(ahead)
                        self.bytes_up += len(data)
                    else:
                        self.bytes_down += len(data)
                    peers[s].sendall(data)
        except (OSError, ConnectionError, ValueError):
            pass
        finally:
            with self._lock:
                if (client, server) in self._pairs:
                    self._pairs.remove((client, server))
            for s in (client, server):
                try:
                    s.close()
                except OSError:
                    pass


def _reset(s):
    """Closes with RST rather than FIN: no goodbye reaches either side."""
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    try:
        s.close()
    except OSError:
        pass
