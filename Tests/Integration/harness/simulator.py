"""`kinglet fleet simulate`: many simulated devices in one process, driven like harness/agent.py's
Agent. Its status lines (stdout) and log (stderr) are captured line by line."""
import os
import re
import signal
import subprocess
import threading

from .agent import BINARY, REPO, render_config
from .wait import wait_until

PASSWORD = "sim-secret"
ALL_ONLINE = re.compile(r"^all (\d+) online after ([\d.]+)s \(([\d.]+) logins/s\)")
COUNTS = re.compile(r"^(\d+)s: (\d+) online, (\d+) reconnecting, (\d+) failed(?:, (\d+) not started yet)?")
STOPPED = re.compile(r"^stopped after ([\d.]+)s: (\d+) offline cleanly, (\d+) failed")


def users(count):
    return [f"sim-{n}" for n in range(1, count + 1)]


def simulator_config(server, workdir, servers=None, **device):
    """Devices sim-1, sim-2, ... on `server` (or on `servers`, "host:port" strings), each with its
    outbox in workdir/sim/N.db, the simulated profile, and the operators alice and console."""
    xmpp = {"jid": f"sim-{{n}}@{server.domain}", "password": PASSWORD, "ca_file": server.pki.ca_file}
    if servers:
        xmpp["servers"] = servers
    else:
        xmpp.update(host="127.0.0.1", port=server.c2s_port)
    os.makedirs(os.path.join(workdir, "sim"), exist_ok=True)
    return {
        "xmpp": xmpp,
        "device": {"profile": os.path.join(REPO, "Devices", "simulated.toml"), **device},
        "access": {"operators": [server.jid("alice"), server.jid("console")]},
        # No fsync per commit: a thousand devices committing every second would measure the disk.
        "store": {"path": os.path.join(workdir, "sim", "{n}.db"), "synchronous": "off"},
        "log": {"level": "warning"},
    }


class Simulator:
    def __init__(self, workdir, sections, count, rate=50, binary=None, name="sim"):
        self.workdir = workdir
        self.binary = binary or BINARY
        self.count = count
        self.rate = rate
        self.config_path = os.path.join(workdir, f"{name}.toml")
        self.log_path = os.path.join(workdir, f"{name}.log")
        with open(self.config_path, "w") as f:
            f.write(render_config(sections))
        os.chmod(self.config_path, 0o600)  # it holds the password
        self.process = None
        self.lines = []  # stdout: status lines
        self._lock = threading.Lock()
        self._readers = []

    def start(self):
        self.process = subprocess.Popen(
            [self.binary, "fleet", "simulate", "--config", self.config_path, "--count", str(self.count),
             "--rate", str(self.rate)],
            stdout=subprocess.PIPE, stderr=open(self.log_path, "a"), text=True, errors="replace")
        reader = threading.Thread(target=self._read, daemon=True)
        reader.start()
        self._readers.append(reader)
        return self

    def _read(self):
        for line in self.process.stdout:
            with self._lock:
                self.lines.append(line.rstrip("\n"))

    @property
    def pid(self):
        return self.process.pid

    def output(self):
        with self._lock:
            return list(self.lines)

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read().splitlines()

    def wait_line(self, pattern, timeout, after=0):
        def found():
            for line in self.output()[after:]:
                match = pattern.search(line)
                if match:
                    return match
            if self.process.poll() is not None:
                raise AssertionError(f"the simulator exited ({self.process.returncode}):\n"
                                     + "\n".join(self.output() + self.log()[-20:]))
            return None
        return wait_until(found, timeout=timeout, interval=0.1,
                          what=lambda: f"/{pattern.pattern}/ from the simulator\n" + "\n".join(self.output()[-10:]))

    def wait_all_online(self, timeout=60.0):
        """Seconds from start to all online, and the logins per second, as the simulator measured."""
        match = self.wait_line(ALL_ONLINE, timeout)
        return float(match.group(2)), float(match.group(3))

    def wait_counts(self, timeout=30.0, after=None):
        """The next 10-second status line: (online, reconnecting, failed, not started)."""
        match = self.wait_line(COUNTS, timeout, after=len(self.output()) if after is None else after)
        return tuple(int(match.group(i) or 0) for i in range(2, 6))

    def stop(self, timeout=60.0):
        """Ctrl-C; returns (exit status, devices offline cleanly, devices failed)."""
        self.process.send_signal(signal.SIGINT)
        status = self.process.wait(timeout=timeout)
        for reader in self._readers:
            reader.join(timeout=5)
        match = next((STOPPED.search(line) for line in reversed(self.output()) if STOPPED.search(line)), None)
        return status, int(match.group(2)) if match else None, int(match.group(3)) if match else None

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
