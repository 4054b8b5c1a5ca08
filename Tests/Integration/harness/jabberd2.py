"""A private jabberd2 (Debian 12's 2.7) on loopback, shaped like harness/prosody.py and
harness/ejabberd.py: its own configs, SQLite storage, logs, free ports, a certificate made at
test time; nothing under /etc/jabberd2 or /var/lib/jabberd2 is read or written.

jabberd2 is three programs here: the router, the session manager (sm) and the client
connection manager (c2s), which log in to the router with a secret made for the test. s2s is
not started (one domain, nothing to federate with). A shell started in a session of its own
runs all three, so they share its process group: `stop()` signals the group and waits until no
member is left, and a SIGKILL of the group leaves nothing behind either.

Accounts are rows in c2s's `authreg` table (plain text passwords: SCRAM needs the password or
keys derived from it, and jabberd2's SQLite module keeps only the password); the session
manager creates a user at the first login (`<auto-create/>` in sm.xml). The schema is the one
the package ships."""
import glob
import gzip
import os
import secrets
import signal
import sqlite3
import subprocess
import time

from .pki import make_pki
from .wait import Timeout, free_port, stream_answers, wait_until

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
TEMPLATES = os.path.join(REPO, "Config", "test-server", "jabberd2")
SCHEMA = "/usr/share/doc/jabberd2/db-setup.sqlite.gz"
DOMAIN = "kinglet.test"
PROGRAMS = ("router", "sm", "c2s")
READY = f"{DOMAIN} ready for sessions"  # sm.log, once the session manager has bound the domain


def _library_dir():
    found = glob.glob("/usr/lib/*/jabberd2/storage_sqlite.so")
    return os.path.dirname(found[0]) if found else None


def available():
    """None when jabberd2 can run here, else why not (for pytest.skip)."""
    missing = [p for p in PROGRAMS if not os.path.exists(f"/usr/sbin/jabberd2-{p}")]
    if missing or _library_dir() is None:
        return "jabberd2 is not installed (Debian package `jabberd2`; `make deps` installs it)"
    if not os.path.exists(SCHEMA):
        return f"jabberd2's SQLite schema {SCHEMA} is missing (the Debian package ships it)"
    return None


class Jabberd2:
    name = "jabberd2"

    def __init__(self, workdir, scram="SCRAM-SHA-256", pep_module=False):
        """`scram`: the one SCRAM mechanism c2s offers (PLAIN is offered too, inside TLS only).
        `pep_module`: load Debian's mod_pep, which advertises PEP on the account and implements
        none of it."""
        self.workdir = workdir
        self.domain = DOMAIN
        self.home = os.path.join(workdir, "jabberd2")
        os.makedirs(self.home, exist_ok=True)
        self.c2s_port = free_port()
        self.direct_tls_port = free_port()
        self.router_port = free_port()
        self.pki = make_pki(os.path.join(workdir, "pki"), DOMAIN, "sensor@" + DOMAIN)
        # c2s reads the certificate and its key from one file.
        pemfile = os.path.join(self.home, "server.pem")
        with open(pemfile, "w") as out:
            for part in (self.pki.cert_file, self.pki.key_file):
                with open(part) as f:
                    out.write(f.read())
        os.chmod(pemfile, 0o600)
        self.database = os.path.join(self.home, "jabberd2.db")
        with gzip.open(SCHEMA, "rt") as f:
            schema = f.read()
        with sqlite3.connect(self.database) as db:
            db.executescript(schema)
        values = {
            "HOME": self.home, "DOMAIN": DOMAIN, "DATABASE": self.database, "LIBDIR": _library_dir(),
            "ROUTER_PORT": str(self.router_port), "ROUTER_SECRET": secrets.token_hex(16),
            "C2S_PORT": str(self.c2s_port), "DIRECT_TLS_PORT": str(self.direct_tls_port),
            "PEMFILE": pemfile, "SCRAM": scram, "SASL": f"<{scram.lower()}/>",
        }
        self.configs = {}
        for name in ("router", "router-users", "sm", "c2s"):
            with open(os.path.join(TEMPLATES, name + ".xml")) as f:
                text = f.read()
            for key, value in values.items():
                text = text.replace(f"@@{key}@@", value)
            if name == "sm" and pep_module:
                text = text.replace("<module>vacation</module><module>iq-vcard</module>",
                                    "<module>vacation</module><module>pep</module><module>iq-vcard</module>")
                text = text.replace("<chain id='out-sess'></chain>", "<chain id='out-sess'><module>pep</module></chain>")
            self.configs[name] = os.path.join(self.home, name + ".xml")
            with open(self.configs[name], "w") as f:
                f.write(text)
        self.process = None
        self._ready_before = 0

    def jid(self, user):
        return f"{user}@{self.domain}"

    def register(self, user, password):
        """An account: a row in authreg, and the user in the session manager ("active", what its
        mod_active writes when a user first logs in). Without that row the sm drops what comes
        for a user that never logged in, a subscription request included, where Prosody and
        ejabberd keep it. The server need not run."""
        with sqlite3.connect(self.database, timeout=10) as db:
            db.execute('INSERT INTO "authreg" ("username", "realm", "password") VALUES (?, ?, ?)',
                       (user, self.domain, password))
            db.execute('INSERT INTO "active" ("collection-owner", "time") VALUES (?, ?)',
                       (self.jid(user), int(time.time())))

    def forget_contacts(self, timeout=15):
        """Rosters and offline messages as after `register`, for the next test on a shared
        server: once every session has ended (the session manager keeps a user with a session
        in memory and writes its roster back), their rows are deleted."""
        def sessions_ended():
            log = self._read("sm.log")
            return log.count("session started: ") == log.count("session ended: ")
        wait_until(sessions_ended, timeout=timeout, what=lambda: "jabberd2's sessions to end:\n" + self._read("sm.log")[-2000:])
        with sqlite3.connect(self.database, timeout=10) as db:
            for table in ("roster-items", "roster-groups", "queue"):
                db.execute(f'DELETE FROM "{table}"')

    def start(self, timeout=60):
        self._ready_before = self._read("sm.log").count(READY)
        # The router first: sm and c2s connect to it and retry each second until it listens.
        script = " & ".join(f'/usr/sbin/jabberd2-{p} -c "{self.configs[p]}"' for p in PROGRAMS) + " & wait"
        log = open(os.path.join(self.workdir, "jabberd2.stdout"), "ab")
        self.process = subprocess.Popen(["/bin/sh", "-c", script], stdout=log, stderr=log, cwd=self.home,
                                        start_new_session=True)

        def serving():
            if self.process.poll() is not None:
                raise AssertionError("jabberd2 exited:\n" + self.log_text()[-3000:])
            # c2s listens once it is in touch with the router; logins work once the session
            # manager has bound the domain there too.
            return (self._sm_ready()
                    and stream_answers(self.c2s_port, self.domain)
                    and stream_answers(self.direct_tls_port, self.domain, ca_file=self.pki.ca_file))

        try:
            wait_until(serving, timeout=timeout, interval=0.1, what="jabberd2 to answer streams on both ports")
        except BaseException:
            self.stop(signal.SIGKILL)
            raise
        return self

    def _sm_ready(self):
        """Whether the session manager has bound the domain since this start began."""
        return self._read("sm.log").count(READY) > self._ready_before

    def stop(self, sig=signal.SIGTERM, timeout=20):
        """Signals every program of the server and waits until none is left."""
        if self.process is None:
            return
        self._signal_group(sig)
        try:
            wait_until(lambda: not self._group_alive(), timeout=timeout, what="jabberd2's programs to exit")
        except Timeout:
            self._signal_group(signal.SIGKILL)
            wait_until(lambda: not self._group_alive(), timeout=5, what="jabberd2's programs to die")
        self.process.wait()
        self.process = None

    def _signal_group(self, sig):
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            pass

    def _group_alive(self):
        self.process.poll()  # reaps the shell once it has exited
        try:
            os.killpg(self.process.pid, 0)
            return True
        except ProcessLookupError:
            return False

    def kill(self):
        """Abrupt death: no stream closes are sent."""
        self.stop(signal.SIGKILL)

    def _read(self, name):
        path = os.path.join(self.home, name)
        return open(path, errors="replace").read() if os.path.exists(path) else ""

    def log_text(self):
        return "".join(f"--- {name}\n{self._read(name)}" for name in ("router.log", "sm.log", "c2s.log"))
