"""A fleet on one server: several kinglet agents (the simulated device), each with its own account
`sensor-N`, config, store and log, and helpers shared by the fleet tests. The server is started
once per test module (several agents per test, one server for the module) where the tests
leave it as they found it."""
import os
import tempfile

from .agent import REPO, Agent, base_config
from .peers import Peer
from .wait import wait_until

DEVICE_PASSWORD = "device-secret"


def device_name(i):
    return f"sensor-{i}"


def register_devices(server, count):
    for i in range(count):
        server.register(device_name(i), DEVICE_PASSWORD)


class Fleet:
    """Agents `sensor-0` .. `sensor-(count-1)` on `server`, all listing the same access."""

    def __init__(self, server, count, operators=(), viewers=(), workdir=None, fleet=None, extra=None):
        self.server = server
        self.workdir = workdir or tempfile.mkdtemp(prefix="kinglet-fleet-")
        self.agents = []
        for i in range(count):
            name = device_name(i)
            config = base_config(server, self.workdir, user=name, password=DEVICE_PASSWORD,
                                 reconnect_initial="200ms", reconnect_max="1s")
            config["device"] = {"profile": os.path.join(REPO, "Devices", "simulated.toml"), "interval": "1s", "seed": i}
            config["access"] = {"operators": list(operators), "viewers": list(viewers)}
            config["store"] = {"path": os.path.join(self.workdir, f"{name}.db")}
            config["presence"] = {"name": name}
            if fleet:
                config["fleet"] = dict(fleet)
            for section, table in (extra or {}).items():
                config.setdefault(section, {}).update(table)
            self.agents.append(Agent(self.workdir, config, name=name))

    def __iter__(self):
        return iter(self.agents)

    def __getitem__(self, i):
        return self.agents[i]

    def jids(self):
        return [self.server.jid(device_name(i)) for i in range(len(self.agents))]

    def start(self, timeout=60):
        for agent in self.agents:
            agent.start()
        for agent in self.agents:
            agent.wait_online(timeout=timeout)
        return self

    def wait_all(self, pattern, after=None, timeout=30):
        """Waits until every agent has logged a line matching `pattern` (after its mark, if given)."""
        for i, agent in enumerate(self.agents):
            agent.wait_for_log(pattern, timeout=timeout, after=(after[i] if after else 0))

    def accepted_by(self, user, password, timeout=30):
        """`user` logs in with a slixmpp client (it accepts requests and asks back), takes every
        device's enrollment request, and leaves once subscribed both ways with each."""
        peer = Peer(self.server, user, password).connect()
        roster = peer.client.client_roster
        wait_until(lambda: all(roster[jid]["subscription"] == "both" for jid in self.jids()), timeout=timeout,
                   what=f"{user} subscribed both ways with every device")
        peer.disconnect()

    def marks(self):
        return [agent.mark() for agent in self.agents]

    def stop(self):
        for agent in self.agents:
            agent.kill()


def wait_count(fn, expected, timeout=30, what="count"):
    """Waits until fn() == expected; returns the last value."""
    return wait_until(lambda: fn() == expected, timeout=timeout, what=lambda: f"{what}: {fn()} != {expected}")
