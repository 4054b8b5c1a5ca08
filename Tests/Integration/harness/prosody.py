"""A private Prosody on loopback: its own data dir, free ports, a certificate made at test time."""
import os
import signal
import subprocess

from .pki import make_pki
from .wait import free_port, port_open, wait_until

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
TEMPLATE = os.path.join(REPO, "Config", "test-server", "prosody.cfg.lua")
DOMAIN = "kinglet.test"


class Prosody:
    name = "prosody"

    def __init__(self, workdir, password_hash="SHA-256", disabled_sasl=("DIGEST-MD5",), hibernation=60,
                 log_level="info", extra_config="", disabled_modules=(), pubsub_admins=(), enabled_modules=(),
                 c2s_port=None):
        self.workdir = workdir
        self.data = os.path.join(workdir, "prosody")
        os.makedirs(self.data, exist_ok=True)
        self.domain = DOMAIN
        self.c2s_port = c2s_port or free_port()  # the demo asks for one people can type
        self.direct_tls_port = free_port()
        self.pki = make_pki(os.path.join(workdir, "pki"), DOMAIN, "sensor@" + DOMAIN)
        self.config = os.path.join(workdir, "prosody.cfg.lua")
        values = {
            "DATA": self.data, "LOG_LEVEL": log_level, "C2S_PORT": str(self.c2s_port),
            "DIRECT_TLS_PORT": str(self.direct_tls_port), "PASSWORD_HASH": password_hash,
            "DISABLED_SASL": "; ".join(f'"{m}"' for m in disabled_sasl),
            "SMACKS_HIBERNATION": str(hibernation), "CERT": self.pki.cert_file, "KEY": self.pki.key_file,
            "DOMAIN": DOMAIN,
        }
        with open(TEMPLATE) as f:
            text = f.read()
        for name, value in values.items():
            text = text.replace(f"@@{name}@@", value)
        if disabled_modules:  # e.g. ("smacks",): a server without XEP-0198
            text = text.replace("modules_disabled = { ", "modules_disabled = { " + "".join(f'"{m}"; ' for m in disabled_modules))
        if enabled_modules:  # e.g. ("groups",): the server-side roster of a fleet
            text = text.replace("modules_enabled = {", "modules_enabled = {" + "".join(f' "{m}";' for m in enabled_modules))
        if pubsub_admins:  # mod_pubsub lets only its admins create nodes
            component = f'Component "pubsub.{DOMAIN}" "pubsub"\n'
            admins = "".join(f'"{user}@{DOMAIN}"; ' for user in pubsub_admins)
            text = text.replace(component, component + f"    admins = {{ {admins}}}\n")
        # Extra global settings (e.g. `network_settings`) go first, before any VirtualHost.
        text = extra_config + "\n" + text
        with open(self.config, "w") as f:
            f.write(text)
        self.process = None

    def jid(self, user):
        return f"{user}@{self.domain}"

    def register(self, user, password):
        subprocess.run(["prosodyctl", "--config", self.config, "register", user, self.domain, password],
                       check=True, capture_output=True, timeout=30)

    def start(self):
        log = open(os.path.join(self.workdir, "prosody.stdout"), "ab")
        self.process = subprocess.Popen(["prosody", "-F", "--config", self.config], stdout=log, stderr=log,
                                        start_new_session=True)
        wait_until(lambda: port_open(self.c2s_port) and port_open(self.direct_tls_port), timeout=60,
                   what="prosody to listen")

    def stop(self, sig=signal.SIGTERM):
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def kill(self):
        """Abrupt death: no stream closes are sent, sessions stay resumable on the client side."""
        self.stop(signal.SIGKILL)

    def log_text(self):
        path = os.path.join(self.data, "prosody.log")
        return open(path, errors="replace").read() if os.path.exists(path) else ""
