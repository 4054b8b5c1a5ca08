#!/usr/bin/env python3
"""`make demo`: Kinglet on your machine in one command, no hardware and no server needed.

It starts a private Prosody on 127.0.0.1 (a certificate made just now, throw-away accounts),
runs the agent (.build/debug/kinglet) with the simulated weather station, and a watcher: an
operator's client (slixmpp) that shows the device's presence and its readings as a live table,
read with XEP-0323 every couple of seconds, and flips the relay with XEP-0325 now and then.

Ctrl-C stops everything. DEMO_SECONDS=N stops by itself after N seconds; DEMO_DIR puts the
logs somewhere other than ./demo-run."""
import logging
import os
import shutil
import signal
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from conftest import PASSWORDS, start_prosody  # noqa: E402
from harness import iot  # noqa: E402
from harness.agent import BINARY, REPO, Agent, base_config  # noqa: E402
from harness.peers import Peer  # noqa: E402

READ_EVERY = 2.0  # seconds between readouts
CLIENT_PORT = 15222  # the demo server's port for your own client, when free (else any free one)
FLIP_EVERY = 4  # readouts between relay flips
TTY = sys.stdout.isatty()
BOLD, DIM, GREEN, RESET = ("\x1b[1m", "\x1b[2m", "\x1b[32m", "\x1b[0m") if TTY else ("", "", "", "")


def say(text):
    print(text, flush=True)


class Watcher:
    """The operator's view of the device: presence, the last readout, the last relay flip."""

    def __init__(self, peer, device):
        self.peer = peer
        self.device = device
        self.presence = "waiting for presence…"
        self.readings = {}
        self.order = []
        self.events = []
        self.readouts = 0
        self.client_hint = ""

    def watch_presence(self):
        self.peer.subscribe_to(self.device.split("/")[0])

    def update_presence(self):
        before = self.presence
        self._drain_presences()
        if self.presence != before and not TTY:
            say(f"  » presence: {self.presence}")

    def _drain_presences(self):
        while not self.peer.presences.empty():
            p = self.peer.presences.get_nowait()
            if p["from"].bare != self.device.split("/")[0] or p["type"] in ("subscribe", "subscribed", "unsubscribed"):
                continue
            if p["type"] == "unavailable":
                self.presence = "offline"
            else:
                show = {"": "online", "chat": "online", "away": "away", "xa": "away", "dnd": "busy"}.get(p["show"], p["show"])
                self.presence = show + (f" — “{p['status']}”" if p["status"] else "")

    def read(self):
        started = time.monotonic()
        readout = iot.read(self.peer, self.device, timeout=10)
        self.readouts += 1
        for name, field in readout.fields.items():
            if name not in self.order:
                self.order.append(name)
            self.readings[name] = field
        for error in readout.errors:
            self.note(f"the device reports a failing source: {error}")
        return (time.monotonic() - started) * 1000

    def flip_relay(self):
        new = "false" if self.readings.get("relay", {}).get("value") == "true" else "true"
        started = time.monotonic()
        answer = iot.set_request(self.peer, self.device, [("relay", "boolean", new)])
        elapsed = (time.monotonic() - started) * 1000
        if answer.get("error_msg"):
            self.note(f"relay → {on_off(new)} refused: {answer['error_msg']}")
            return
        self.note(f"flipped the relay → {on_off(new)} (XEP-0325 set answered in {elapsed:.1f} ms)")
        self.read()
        seen = self.readings.get("relay", {}).get("value")
        mark = f"{GREEN}✓{RESET}" if seen == new else "✗"
        self.note(f"readout shows relay = {on_off(seen)} {mark}")

    def note(self, text):
        self.events.append(time.strftime("%H:%M:%S ") + text)
        self.events = self.events[-4:]
        if not TTY:
            say("  » " + text)

    def render(self, latency_ms, remaining):
        lines = [f"{BOLD}Kinglet demo{RESET} — watching {self.device} as {self.peer.jid.split('/')[0]} (operator)",
                 f"{DIM}your client: {self.client_hint}{RESET}",
                 f"presence: {self.presence}", "",
                 f"{BOLD}{'field':<16}{'value':>20}  {'unit':<5} {'type':<10} {'read at (UTC)':<13}{RESET}"]
        kinds = ("identity", "momentary", "computed", "peak", "status")
        kind_of = {name: next((k for k in kinds if self.readings[name].get("flags", {}).get(k) == "true"), "")
                   for name in self.order}
        for name in sorted(self.order, key=lambda n: (kinds.index(kind_of[n]) if kind_of[n] else len(kinds))):
            f = self.readings[name]
            kind = kind_of[name]
            value = on_off(f["value"]) if f["typename"] == "boolean" else f["value"]
            stamp = f["timestamp"][11:19] if f.get("timestamp") else ""
            lines.append(f"{name:<16}{value:>20}  {f.get('unit', ''):<5} {kind:<10} {stamp:<13}")
        lines.append("")
        lines.append(f"{DIM}readout #{self.readouts} (XEP-0323) took {latency_ms:.1f} ms; next in {READ_EVERY:.0f} s{RESET}")
        lines += self.events
        lines.append("")
        lines.append(f"{DIM}{remaining}{RESET}")
        if TTY:
            sys.stdout.write("\x1b[H\x1b[J" + "\n".join(lines) + "\n")
            sys.stdout.flush()
        else:
            say("\n".join(lines[4:4 + 1 + len(self.order)]))


def say_client_steps(prosody):
    """How a person joins with the client they use (README, "Your own client and the demo")."""
    port, device = prosody.c2s_port, prosody.jid("sensor")
    say(f"  Your own client can join: account {prosody.jid('alice')}, password {PASSWORDS['alice']} (an operator;"
        f" {prosody.jid('bob')} / {PASSWORDS['bob']} is a viewer), server 127.0.0.1 port {port}, STARTTLS.")
    say(f"    The certificate comes from {prosody.pki.ca_file}: accept it when asked (Profanity: /tls allow).")
    say(f"    Chat with {device} (try help, status, set relay on dimmer 40, read temperature 1h);")
    say(f"    ad-hoc commands go to the full JID {device}/kinglet, the bare JID has none.")
    say(f"    Profanity: /connect {prosody.jid('alice')} server 127.0.0.1 port {port}, then /cmd list {device}/kinglet")


def port_free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def on_off(value):
    return {"true": "on", "false": "off"}.get(value, value or "?")


def run(seconds, workdir):
    say(f"{BOLD}Kinglet demo{RESET}: a private XMPP server, the agent with a simulated device, and a watcher.")
    say(f"  logs and config: {workdir}")
    prosody = start_prosody(workdir, c2s_port=CLIENT_PORT if port_free(CLIENT_PORT) else None)
    say(f"  Prosody listening on 127.0.0.1:{prosody.c2s_port} (TLS with a certificate made just now)")
    config = base_config(prosody, workdir)
    config["device"]["interval"] = "1s"
    config["store"]["history_max_age"] = "1d"  # for `read temperature 1h` in chat
    config["log"] = {"level": "info"}
    agent = Agent(workdir, config, name="kinglet").start()
    peer = None
    try:
        agent.wait_online(timeout=30)
        say(f"  agent online as {prosody.jid('sensor')}/kinglet (simulated weather station, relay, dimmer)")
        peer = Peer(prosody, "alice", PASSWORDS["alice"], plugins=iot.PLUGINS, resource="watcher").connect()
        watcher = Watcher(peer, prosody.jid("sensor") + "/kinglet")
        watcher.client_hint = (f"{prosody.jid('alice')} / {PASSWORDS['alice']} at 127.0.0.1:{prosody.c2s_port}; "
                               f"commands to {prosody.jid('sensor')}/kinglet")
        say_client_steps(prosody)
        watcher.watch_presence()
        say(f"  watcher online as {peer.jid}; Ctrl-C to stop" + (f" (stopping by itself after {seconds:.0f} s)" if seconds else ""))
        if TTY:
            time.sleep(1.5)  # leave the start-up lines readable before the table takes the screen
        loop(watcher, seconds)
    finally:
        if peer:
            peer.disconnect()
        status = agent.stop()
        prosody.stop()
        say(f"stopped: agent exited with status {status}, server shut down. Logs are in {workdir}.")


def loop(watcher, seconds):
    started = time.monotonic()
    round_number = 0
    while seconds is None or time.monotonic() - started < seconds:
        round_number += 1
        watcher.update_presence()
        latency = watcher.read()
        if round_number % FLIP_EVERY == 2:  # the first flip comes after a few seconds
            watcher.flip_relay()
        left = f"stopping in {max(0, seconds - (time.monotonic() - started)):.0f} s" if seconds else "Ctrl-C to stop"
        watcher.render(latency, left)
        next_round = started + round_number * READ_EVERY
        time.sleep(max(0.0, next_round - time.monotonic()))  # the demo's pace, not a wait for a condition


def main():
    # slixmpp's XEP-0323 stanzas warn about every field attribute they do not model; the demo
    # shows the readings, not that chatter.
    logging.getLogger().setLevel(logging.ERROR)
    if not os.path.exists(BINARY):
        raise SystemExit(f"no agent binary at {BINARY}: run `swift build` (or `make demo`) first")
    seconds = float(os.environ["DEMO_SECONDS"]) if os.environ.get("DEMO_SECONDS") else None
    workdir = os.path.abspath(os.environ.get("DEMO_DIR") or os.path.join(REPO, "demo-run"))
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    # Ctrl-C also reaches the agent (same process group), which shuts down on SIGINT by itself;
    # here it ends the loop, and the finally blocks stop the rest.
    for number in (signal.SIGTERM, signal.SIGHUP):  # a closed terminal too: Prosody must not outlive the demo
        signal.signal(number, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        run(seconds, workdir)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
