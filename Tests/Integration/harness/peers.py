"""Real XMPP clients (slixmpp) as the other side of the tests, driven from synchronous test code.

Each Peer runs a slixmpp ClientXMPP in its own thread and event loop; tests call `peer.run(coro)`
to do something in that loop and read what arrived from thread-safe queues."""
import asyncio
import queue
import ssl
import threading

import slixmpp

from .wait import wait_until


class Peer:
    def __init__(self, prosody, user, password, plugins=(), resource="test"):
        self.prosody = prosody
        self.jid = f"{prosody.jid(user)}/{resource}"
        self.loop = asyncio.new_event_loop()
        self.presences = queue.Queue()
        self.messages = queue.Queue()
        self.online = threading.Event()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        self.client = self.run_sync(lambda: self._make(password, plugins))

    def _make(self, password, plugins):
        client = slixmpp.ClientXMPP(self.jid, password)
        context = ssl.create_default_context(cafile=self.prosody.pki.ca_file)
        client.ssl_context = context
        for plugin in ("xep_0030", "xep_0199", "xep_0115", "xep_0004", "xep_0050", *plugins):
            client.register_plugin(plugin)
        client.add_event_handler("session_start", self._session_start)
        client.add_event_handler("presence", lambda p: self.presences.put(p))
        client.add_event_handler("message", lambda m: self.messages.put(m))
        client.auto_authorize = True
        client.auto_subscribe = True
        return client

    async def _session_start(self, _):
        await self.client.get_roster()
        self.client.send_presence()
        self.online.set()

    def run_sync(self, fn):
        """Runs a plain function in the peer's loop thread and returns its result."""
        async def wrap():
            return fn()
        return asyncio.run_coroutine_threadsafe(wrap(), self.loop).result(timeout=30)

    def run(self, awaitable, timeout=30):
        """Awaits a coroutine in the peer's loop and returns its result; or, given a function,
        calls it in the loop and awaits what it returns. slixmpp's plain request functions
        (get_version, send_command, ...) send when called, and slixmpp is not thread-safe: from
        the test's thread the request sat in the send queue until other traffic woke the loop."""
        async def wrap():
            return await (awaitable() if callable(awaitable) else awaitable)
        return asyncio.run_coroutine_threadsafe(wrap(), self.loop).result(timeout=timeout)

    def connect(self, timeout=20):
        self.run_sync(lambda: self.client.connect("127.0.0.1", self.prosody.c2s_port))
        if not self.online.wait(timeout):
            raise AssertionError(f"{self.jid} did not come online")
        return self

    def disconnect(self):
        try:
            # disconnect() returns a future that ends when the stream is closed, or at once when
            # the server already closed it (`client.disconnected` would then never complete: it
            # is replaced by a fresh future on every disconnection).
            done = self.run_sync(lambda: self.client.disconnect(wait=1.0))
            self.run(done, timeout=10)
        except Exception:
            pass  # best effort: the test's verdict does not depend on a polite goodbye

        async def finish_tasks():
            # Let slixmpp's background tasks end inside the loop, so nothing is left pending
            # (and complaining) when the interpreter exits.
            others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)

        try:
            self.run(finish_tasks(), timeout=5)
        except Exception:
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self.loop.close()

    def wait_presence(self, predicate, timeout=15):
        """Waits for a received presence stanza for which `predicate(p)` is true, and returns it."""
        seen = []

        def check():
            while True:
                try:
                    p = self.presences.get_nowait()
                except queue.Empty:
                    return None
                seen.append(p)
                if predicate(p):
                    return p

        return wait_until(check, timeout=timeout, what=f"a matching presence at {self.jid}")

    def wait_message(self, predicate, timeout=15):
        def check():
            while True:
                try:
                    m = self.messages.get_nowait()
                except queue.Empty:
                    return None
                if predicate(m):
                    return m

        return wait_until(check, timeout=timeout, what=f"a matching message at {self.jid}")

    def subscribe_to(self, jid):
        self.run_sync(lambda: self.client.send_presence(pto=jid, ptype="subscribe"))

