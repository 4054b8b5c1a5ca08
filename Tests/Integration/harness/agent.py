"""The real kinglet binary, run with a config written for the test, its stderr captured line by line."""
import os
import re
import signal
import subprocess
import threading
import time

from .wait import wait_until

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BINARY = os.environ.get("KINGLET_BIN", os.path.join(REPO, ".build", "debug", "kinglet"))


def toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):  # an inline table: `chat = { burst = 3 }`
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_config(sections):
    """`{"xmpp": {"jid": ...}, ...}` -> TOML text. Tables with a None value are left out."""
    lines = []
    for name, table in sections.items():
        if table is None:
            continue
        lines.append(f"[{name}]")
        for key, value in table.items():
            if value is not None:
                lines.append(f"{key} = {toml_value(value)}")
        lines.append("")
    return "\n".join(lines)


def base_config(prosody, workdir, user="sensor", password="sensor-secret", **xmpp):
    """A config that logs in to the test Prosody over STARTTLS with its test CA."""
    table = {"jid": prosody.jid(user), "password": password, "host": "127.0.0.1", "port": prosody.c2s_port,
             "ca_file": prosody.pki.ca_file, "resource": "kinglet"}
    table.update(xmpp)
    return {
        "xmpp": table,
        "device": {"profile": os.path.join(REPO, "Devices", "simulated.toml")},
        "access": {"operators": [prosody.jid("alice")], "viewers": [prosody.jid("bob")]},
        "store": {"path": os.path.join(workdir, "kinglet.db")},
        "log": {"level": "debug"},
    }


class Agent:
    def __init__(self, workdir, sections, name="agent", binary=None):
        self.workdir = workdir
        self.binary = binary or BINARY
        self.name = name
        self.config_path = os.path.join(workdir, f"{name}.toml")
        self.write_config(sections)
        self.process = None
        self.lines = []
        self._lock = threading.Lock()
        self._reader = None

    def write_config(self, sections):
        with open(self.config_path, "w") as f:
            f.write(render_config(sections))

    def start(self, *extra_args, env=None):
        """Runs `kinglet run`; `env` adds variables to the inherited environment."""
        self.process = subprocess.Popen([self.binary, "run", "--config", self.config_path, *extra_args],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                        errors="replace", env=dict(os.environ, **env) if env else None)
        self._reader = threading.Thread(target=self._read, args=(self.process,), daemon=True)
        self._reader.start()
        return self

    def _read(self, process):
        log = open(os.path.join(self.workdir, f"{self.name}.log"), "a")
        for line in process.stderr:
            log.write(line)
            log.flush()
            with self._lock:
                self.lines.append(line.rstrip("\n"))

    def log(self):
        with self._lock:
            return list(self.lines)

    def matching(self, pattern):
        rx = re.compile(pattern)
        return [line for line in self.log() if rx.search(line)]

    def wait_for_log(self, pattern, timeout=15.0, after=0):
        """Waits for a log line matching `pattern` among lines numbered `after` and later."""
        rx = re.compile(pattern)

        def found():
            for line in self.log()[after:]:
                if rx.search(line):
                    return line
            return None

        return wait_until(found, timeout=timeout,
                          what=lambda: f"agent log line /{pattern}/\n--- log:\n" + "\n".join(self.log()[-40:]))

    def mark(self):
        """The current log length, to wait for lines that come after this point."""
        return len(self.log())

    def wait_online(self, timeout=20.0, after=0):
        return self.wait_for_log(r"^INFO +session: online as ", timeout=timeout, after=after)

    def full_jid(self, timeout=20.0, after=0):
        """The full JID the agent is online as (waits for it)."""
        return self.wait_online(timeout=timeout, after=after).split("online as ")[1].split()[0]

    def wait_authenticated(self, mechanism, timeout=15.0):
        """Waits for the login with exactly `mechanism` (SCRAM-SHA-256 is not SCRAM-SHA-256-PLUS)."""
        return self.wait_for_log(rf"authenticated with {re.escape(mechanism)}(?![\w-])", timeout=timeout)

    def signal(self, sig):
        self.process.send_signal(sig)

    def stop(self, timeout=15.0):
        """SIGTERM and wait; returns the exit status."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            status = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            status = self.process.wait()
        self._reader.join(timeout=5)
        return status

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self._reader:
            self._reader.join(timeout=5)

    def exited(self):
        return self.process is not None and self.process.poll() is not None

    def wait_exit(self, timeout=15.0):
        wait_until(self.exited, timeout=timeout, what="agent to exit")
        self._reader.join(timeout=5)
        return self.process.returncode


def run_cli(*args, timeout=30):
    """Runs a short kinglet subcommand (check, read, buffer) and returns the CompletedProcess."""
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=timeout)
