"""A private ejabberd (Debian 12's 23.01) on loopback, shaped like harness/prosody.py: its own
config, spool (Mnesia), logs and Erlang node, free ports, a certificate made at test time.

How it stays out of everything else's way:
- It runs as the `ejabberd` system user (ejabberdctl refuses nothing as root, but it would `su`
  to that user itself, and `su` puts the VM in a session of its own that no signal to our
  process group reaches). We drop privileges in `subprocess` instead, so `ejabberdctl` runs
  `erl` directly and the whole server is one process group we can stop.
- HOME, the config dir, spool, logs and contrib-modules dir all point into the test's temp dir;
  nothing under /etc/ejabberd or /var/lib/ejabberd is read or written (a system instance, if
  the package started one, keeps its own node, cookie and ports).
- No epmd: `ERL_DIST_PORT` gives the node a fixed distribution port of its own (ejabberdctl
  then passes `-erl_epmd_port`/`-start_epmd false`), so nothing is registered in a shared epmd
  and no daemon outlives the test. The node name carries that port and the cookie is random,
  so two instances, or one left over from a killed run, never answer each other's ejabberdctl.
"""
import base64
import hashlib
import hmac
import os
import secrets
import shutil
import signal
import socket
import subprocess

from .pki import make_pki
from .wait import Timeout, free_port, stream_answers, wait_until

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
TEMPLATE = os.path.join(REPO, "Config", "test-server", "ejabberd.yml")
DOMAIN = "kinglet.test"
USER = "ejabberd"
EJABBERDCTL = "/usr/sbin/ejabberdctl"


def available():
    """None when ejabberd can run here, else why not (for pytest.skip)."""
    if not os.path.exists(EJABBERDCTL):
        return "ejabberd is not installed (Debian package `ejabberd`; `make deps` installs it)"
    try:
        import pwd
        pwd.getpwnam(USER)
    except KeyError:
        return f"the `{USER}` system user is missing (the Debian package creates it)"
    return None


def scram_credentials(password, hash_name, iterations=4096):
    """RFC 5802's stored and server keys for `password` with a fresh salt, as ejabberd's XEP-0227
    import reads them. ejabberd 23.01 keeps them base64-encoded in its database, yet its import
    decodes them once before storing (logins then crash in base64:decode): so they are encoded
    twice here, and the stored value is what its own `register` would have written."""
    digest = {"sha": "sha1", "sha256": "sha256"}[hash_name]
    salt = secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac(digest, password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", digest).digest()
    stored_key = hashlib.new(digest, client_key).digest()
    server_key = hmac.new(salted, b"Server Key", digest).digest()
    b64 = lambda b: base64.b64encode(base64.b64encode(b)).decode()
    prefix = "" if hash_name == "sha" else hash_name + ","
    return f"scram:{prefix}{b64(stored_key)},{b64(server_key)},{b64(salt)},{iterations}"


class ClusterPlan:
    """What the nodes of one cluster share: the cookie, the certificate, and the distribution
    port. Without epmd a node takes every other node to listen on its own port (ejabberdctl's
    ERL_DIST_PORT), so each node gets a loopback address of its own (127.0.0.2, .3, ...) with a
    host name for it, and all listen on the same port."""

    def __init__(self, hosts, pki=None):
        self.hosts = hosts  # host name -> address
        self.cookie = secrets.token_hex(16)
        self.pki = pki
        self.dist_port = free_port_on(hosts.values())

    @classmethod
    def alone(cls):
        return cls({"localhost": "127.0.0.1"})


def free_port_on(addresses):
    """A port free on every one of `addresses` (the first is asked for one)."""
    while True:
        port = free_port()
        try:
            for address in addresses:
                with socket.socket() as s:
                    s.bind((address, port))
            return port
        except OSError:
            continue


class Ejabberd:
    name = "ejabberd"

    def __init__(self, workdir, scram_hash="sha256", disabled_sasl=("digest-md5",), resume_timeout=60,
                 log_level="info", cluster=None):
        """`cluster`: a ClusterPlan and this node's host name in it (see EjabberdCluster)."""
        self.workdir = workdir
        self.scram_hash = scram_hash
        self.domain = DOMAIN
        self.home = os.path.join(workdir, "ejabberd")
        self.spool = os.path.join(self.home, "spool")
        self.logs = os.path.join(self.home, "logs")
        for d in (self.spool, self.logs):
            os.makedirs(d, exist_ok=True)
        # The server's user must be able to reach its directory inside the root-owned temp dir.
        os.chmod(workdir, 0o711)
        self.c2s_port = free_port()
        self.direct_tls_port = free_port()
        plan, host = cluster or (ClusterPlan.alone(), "localhost")
        self.dist_port = plan.dist_port
        self.pki = plan.pki or make_pki(os.path.join(workdir, "pki"), DOMAIN, "sensor@" + DOMAIN)
        # Copies the server may read: the PKI dir's key is root's and mode 0600.
        cert, key, ca = (os.path.join(self.home, n) for n in ("server.pem", "server.key", "ca.pem"))
        shutil.copy(self.pki.cert_file, cert)
        shutil.copy(self.pki.key_file, key)
        shutil.copy(self.pki.ca_file, ca)
        self.config = os.path.join(self.home, "ejabberd.yml")
        values = {
            "LOG_LEVEL": log_level, "DOMAIN": DOMAIN, "CERT": cert, "KEY": key, "CA": ca,
            "C2S_PORT": str(self.c2s_port), "DIRECT_TLS_PORT": str(self.direct_tls_port),
            "SCRAM_HASH": scram_hash, "DISABLED_SASL": ", ".join(f'"{m}"' for m in disabled_sasl),
            "RESUME_TIMEOUT": str(resume_timeout),
        }
        with open(TEMPLATE) as f:
            text = f.read()
        for name, value in values.items():
            text = text.replace(f"@@{name}@@", value)
        with open(self.config, "w") as f:
            f.write(text)
        self.node = f"kinglet-{self.dist_port}@{host}"
        interface = plan.hosts[host].replace(".", ",")
        with open(os.path.join(self.home, "ejabberdctl.cfg"), "w") as f:
            f.write(f'ERLANG_NODE={self.node}\n'
                    f'ERL_OPTIONS="-setcookie {plan.cookie} -kernel inet_dist_use_interface {{{interface}}}"\n'
                    f'ERL_DIST_PORT={self.dist_port}\n'
                    f'CONTRIB_MODULES_PATH={self.home}/contrib\n'
                    'EJABBERD_BYPASS_WARNINGS=true\n')
        with open(os.path.join(self.home, "inetrc"), "w") as f:
            f.write('{lookup,["file","native"]}.\n')
            for name, address in plan.hosts.items():
                f.write(f'{{host,{{{address.replace(".", ",")}}}, ["{name}"]}}.\n')
        subprocess.run(["chown", "-R", f"{USER}:{USER}", self.home], check=True)
        self.process = None

    def jid(self, user):
        return f"{user}@{self.domain}"

    def _ctl_command(self, *args):
        return [EJABBERDCTL, "--config-dir", self.home, "--logs", self.logs, "--spool", self.spool, *args]

    def _as_server_user(self):
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": self.home, "LANG": "C.UTF-8"}
        return {"user": USER, "group": USER, "extra_groups": [], "env": env, "cwd": self.home}

    def ctl(self, *args, timeout=120):
        """Runs an ejabberdctl command against this node; returns the CompletedProcess. Each
        call starts an Erlang node: on a loaded machine that took more than 30 s."""
        return subprocess.run(self._ctl_command(*args), capture_output=True, text=True, timeout=timeout,
                              **self._as_server_user())

    def register(self, user, password):
        """Creates an account (the server must be running: accounts live in its Mnesia)."""
        result = self.ctl("register", user, self.domain, password)
        assert result.returncode == 0, f"ejabberdctl register {user}: {result.stdout}{result.stderr}"

    def register_many(self, users, password, timeout=600):
        """Creates many accounts with one `ejabberdctl import_piefxis` (XEP-0227): `register` starts
        an Erlang node per call (about 1 s each), and a plain password in the file makes the
        server derive each SCRAM key itself (about 30 ms each). So the keys are derived here, in
        the form ejabberd's import reads (`scram:HASH,STORED,SERVER,SALT,ITERATIONS`)."""
        path = os.path.join(self.home, f"accounts-{secrets.token_hex(4)}.xml")
        with open(path, "w") as f:
            f.write("<?xml version='1.0' encoding='UTF-8'?>\n<server-data xmlns='urn:xmpp:pie:0'>\n")
            f.write(f"<host jid='{self.domain}'>\n")
            for user in users:
                f.write(f"<user name='{user}' password='{scram_credentials(password, self.scram_hash)}'/>\n")
            f.write("</host>\n</server-data>\n")
        os.chmod(path, 0o644)
        result = self.ctl("import_piefxis", path, timeout=timeout)
        os.unlink(path)
        assert result.returncode == 0, f"ejabberdctl import_piefxis: {result.stdout}{result.stderr}"

    def start(self, timeout=120):
        log = open(os.path.join(self.workdir, "ejabberd.stdout"), "ab")
        self.process = subprocess.Popen(self._ctl_command("foreground"), stdout=log, stderr=log,
                                        start_new_session=True, **self._as_server_user())

        def serving():
            if self.process.poll() is not None and not self._group_alive():
                raise AssertionError("ejabberd exited:\n" + self.log_text()[-3000:])
            # Not just listening: ejabberd binds its ports while its modules are still starting
            # and accepts on them only once it has started.
            return (stream_answers(self.c2s_port, self.domain)
                    and stream_answers(self.direct_tls_port, self.domain, ca_file=self.pki.ca_file))

        try:
            wait_until(serving, timeout=timeout, interval=0.1, what="ejabberd to answer streams on both ports")
        except BaseException:
            self.stop(signal.SIGKILL)
            raise

    def stop(self, sig=signal.SIGTERM, timeout=20):
        """SIGTERM: the VM stops ejabberd cleanly (listeners, sessions, Mnesia) and exits; then
        nothing of the server's process group is left."""
        if self.process is None:
            return
        if self.process.poll() is None:
            # The signal goes to the VM, not to the whole group: the ejabberdctl shell would die
            # at once and leave the VM to stop as an orphan; this way the shell reaps it and its
            # exit means the server is down.
            targets = self._vm_pids() if sig == signal.SIGTERM else []
            try:
                for pid in targets:
                    os.kill(pid, sig)
                if not targets:
                    os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        # The VM's port programs end when it does; wait for those in its group too, so the next
        # start finds the ports free and the test leaves nothing behind. (inet_gethost makes a
        # session of its own, out of reach of the group, and exits when the VM closes its pipe.)
        try:
            wait_until(lambda: not self._group_alive(), timeout=5, what="ejabberd's processes to exit")
        except Timeout:
            os.killpg(self.process.pid, signal.SIGKILL)
            wait_until(lambda: not self._group_alive(), timeout=5, what="ejabberd's processes to die")
        self.process = None

    def _vm_pids(self):
        """The ejabberdctl shell's children: the Erlang VM (beam.smp)."""
        path = f"/proc/{self.process.pid}/task/{self.process.pid}/children"
        try:
            with open(path) as f:
                return [int(pid) for pid in f.read().split()]
        except OSError:
            return []

    def _group_alive(self):
        try:
            os.killpg(self.process.pid, 0)
            return True
        except ProcessLookupError:
            return False

    def kill(self):
        """Abrupt death: no stream closes are sent, sessions stay resumable on the client side."""
        self.stop(signal.SIGKILL)

    def log_text(self):
        path = os.path.join(self.logs, "ejabberd.log")
        return open(path, errors="replace").read() if os.path.exists(path) else ""


class EjabberdCluster:
    """Private ejabberd nodes (`nodea`, `nodeb`, ...) in one Mnesia cluster on this machine: each
    with its own loopback address for Erlang distribution, its own spool and c2s ports, one
    certificate and cookie. Accounts, rosters and PEP nodes are the cluster's; a session lives
    on the node its client connected to."""

    def __init__(self, workdir, size=2, **options):
        os.chmod(workdir, 0o711)  # the server's user walks through it to its node's directory
        names = [f"node{chr(ord('a') + i)}" for i in range(size)]
        plan = ClusterPlan({name: f"127.0.0.{i + 2}" for i, name in enumerate(names)})
        self.nodes = []
        for name in names:
            directory = os.path.join(workdir, name)
            os.makedirs(directory)
            node = Ejabberd(directory, cluster=(plan, name), **options)
            plan.pki = plan.pki or node.pki
            self.nodes.append(node)
        self.domain = DOMAIN
        self.pki = plan.pki

    def jid(self, user):
        return f"{user}@{self.domain}"

    def start(self, timeout=60):
        for node in self.nodes:
            node.start()
        for node in self.nodes[1:]:
            self.join(node, timeout=timeout)
        return self

    def join(self, node, timeout=60):
        """`ejabberdctl join_cluster` on `node`: it restarts its ejabberd inside the VM with the
        first node's database, so it serves again only once that is done."""
        result = node.ctl("join_cluster", self.nodes[0].node, timeout=timeout)
        assert result.returncode == 0, f"join_cluster: {result.stdout}{result.stderr}"
        wait_until(lambda: self.members(node) == {n.node for n in self.nodes}, timeout=timeout,
                   interval=0.5, what=lambda: f"{node.node} to list the cluster: {self.members(node)}")
        wait_until(lambda: stream_answers(node.c2s_port, self.domain), timeout=timeout, interval=0.2,
                   what=f"{node.node} to answer streams after joining")

    @staticmethod
    def members(node):
        result = node.ctl("list_cluster")
        return set(result.stdout.replace("'", "").split()) if result.returncode == 0 else set()

    def stop(self):
        for node in self.nodes:
            node.stop()
