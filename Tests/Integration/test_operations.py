"""Issue 12, running it in the field: the binary alone knows the shipped profiles, systemd's
notify protocol and watchdog, journal priorities, and `kinglet doctor`."""
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid

import pytest

from harness.agent import BINARY, base_config, render_config
from harness.hung_file import HungFile, available as fuse_unavailable
from harness.wait import free_port, wait_until


def test_a_bare_binary_in_an_empty_folder_resolves_a_shipped_profile(workdir):
    folder = os.path.join(workdir, "empty")
    os.mkdir(folder)
    binary = shutil.copy(BINARY, os.path.join(folder, "kinglet"))
    with open(os.path.join(folder, "kinglet.toml"), "w") as f:
        f.write('[xmpp]\njid = "pi@example.org"\npassword = "x"\n[device]\nprofile = "raspberry-pi"\n'
                f'[store]\npath = "{folder}/kinglet.db"\n')
    installed = "/usr/share/kinglet/devices/raspberry-pi.toml"
    expected = installed if os.path.exists(installed) else "(built in) raspberry-pi.toml"
    result = subprocess.run(["./kinglet", "check", "--config", "kinglet.toml"], cwd=folder, capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "profile 'raspberry-pi'" in result.stdout, result.stdout
    check = subprocess.run([binary, "check", "--profile", "raspberry-pi"], cwd=folder, capture_output=True,
                           text=True, timeout=30)
    assert check.returncode == 0 and check.stdout.startswith(f"OK: {expected}: profile 'raspberry-pi'"), check
    assert sorted(os.listdir(folder)) == ["kinglet", "kinglet.toml"]  # nothing written beside it


class NotifySocket:
    """The datagram socket systemd binds for NOTIFY_SOCKET (here in the abstract namespace),
    with every message kept with the time it arrived."""

    def __init__(self):
        self.name = f"@kinglet-test-{uuid.uuid4().hex}"
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind("\0" + self.name[1:])
        self.messages = []  # (monotonic time, text)
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self):
        while True:
            try:
                data = self.sock.recv(4096)
            except OSError:
                return
            with self._lock:
                self.messages.append((time.monotonic(), data.decode()))

    def texts(self):
        with self._lock:
            return [text for _, text in self.messages]

    def times_of(self, text, after=0.0):
        with self._lock:
            return [t for t, m in self.messages if m == text and t > after]

    def wait_for(self, predicate, timeout=20.0, what="notification"):
        def found():
            return next((m for m in self.texts() if predicate(m)), None)
        return wait_until(found, timeout=timeout, what=lambda: f"{what}; got {self.texts()[-10:]}")

    def close(self):
        self.sock.close()


@pytest.fixture
def notify():
    s = NotifySocket()
    yield s
    s.close()


def statuses(notify):
    return [line[len("STATUS="):] for m in notify.texts() for line in m.split("\n") if line.startswith("STATUS=")]


def test_ready_without_the_network_then_status_follows_the_connection(prosody, workdir, agent_factory, notify):
    prosody.stop()  # READY must not wait for the server
    config = base_config(prosody, workdir, reconnect_initial="100ms", reconnect_max="500ms")
    agent = agent_factory(config).start(env={"NOTIFY_SOCKET": notify.name, "WATCHDOG_USEC": "2000000"})
    ready = notify.wait_for(lambda m: m.startswith("READY=1"), what="READY=1")
    assert re.fullmatch(r"READY=1\nSTATUS=(connecting|offline \(.*\)) · \d+ readings? waiting · sensors OK", ready), ready

    prosody.start()
    jid = agent.full_jid()
    notify.wait_for(lambda m: m == f"STATUS=online as {jid} via 127.0.0.1:{prosody.c2s_port} · 0 readings waiting "
                    "· sensors OK" or m.startswith(f"STATUS=online as {jid} via "), what="STATUS online")

    # WATCHDOG=1 at half of WATCHDOG_USEC: every second, not faster, and not much slower.
    start = time.monotonic()
    wait_until(lambda: len(notify.times_of("WATCHDOG=1", after=start)) >= 4, timeout=15, what="4 watchdog pings")
    pings = notify.times_of("WATCHDOG=1", after=start)
    gaps = [b - a for a, b in zip(pings, pings[1:])]
    assert all(gap > 0.8 for gap in gaps), gaps
    assert sum(gaps) / len(gaps) < 1.5, gaps

    prosody.stop()
    notify.wait_for(lambda m: m.startswith("STATUS=offline ("), what="STATUS offline")
    assert agent.stop() == 0
    assert "STOPPING=1\nSTATUS=stopping" in notify.texts()


@pytest.mark.skipif(fuse_unavailable() is not None, reason=str(fuse_unavailable()))
def test_a_hung_sensor_read_stops_neither_ready_nor_the_watchdog_and_status_names_it_journal_priorities(workdir, notify):
    """A sensor file whose read never returns (a FUSE file, as a wedged I2C or 1-wire attribute
    behaves): the read runs off the sampler, so READY=1 comes, WATCHDOG=1 keeps coming, and
    STATUS= names the sensor once its read is past its deadline. That no WATCHDOG=1 goes out
    while a part of the agent makes no progress is proven with a manual clock in
    ServiceManagerTests and WatchdogProgressTests."""
    process = None
    try:
        with HungFile(os.path.join(workdir, "bus")) as hung:
            profile = os.path.join(workdir, "hung.toml")
            with open(profile, "w") as f:
                f.write(f'[device]\nname = "hung"\n[[sensor]]\nname = "probe"\nsource = "file"\npath = "{hung.path}"\n'
                        'value_type = "string"\ninterval = "200ms"\n')
            config = os.path.join(workdir, "agent.toml")
            with open(config, "w") as f:
                f.write(render_config({
                    "xmpp": {"jid": "sensor@kinglet.test", "password": "x", "host": "127.0.0.1", "port": free_port(),
                             "reconnect_initial": "1s", "reconnect_max": "1s"},
                    "device": {"profile": profile}, "store": {"path": os.path.join(workdir, "kinglet.db")}}))
            log_path = os.path.join(workdir, "agent.log")
            with open(log_path, "w") as log:
                st = os.fstat(log.fileno())
                env = dict(os.environ, NOTIFY_SOCKET=notify.name, WATCHDOG_USEC="1000000",
                           JOURNAL_STREAM=f"{st.st_dev}:{st.st_ino}")
                process = subprocess.Popen([BINARY, "run", "--config", config], stderr=log, stdout=subprocess.DEVNULL,
                                           env=env)
            notify.wait_for(lambda m: m.startswith("READY=1"), what="READY=1")
            wait_until(lambda: hung.reads == 1, timeout=10, what="the sensor's read to hang")
            failing = notify.wait_for(lambda m: re.fullmatch(r"STATUS=.* · failing: probe", m),
                                      what="STATUS naming the failing sensor")
            named_at = notify.times_of(failing)[0]
            wait_until(lambda: len(notify.times_of("WATCHDOG=1", after=named_at)) >= 3, timeout=15,
                       what="pings while the read hangs")
            assert hung.reads == 1, "still hanging, and not piled up with more reads"
            assert grep(log_path, r"watchdog: the .* has finished nothing") is None
            # Priorities for the journal: warnings and errors can be filtered with journalctl -p.
            assert grep(log_path, r"^<6>INFO  agent: kinglet .* starting")
            assert grep(log_path, rf"^<4>WARN  device: probe: read timed out after 5 s: {re.escape(hung.path)}$")
            assert grep(log_path, r"^<4>WARN  session: connection lost")
        # Leaving the block ended the hung read (EIO): a process cannot exit while FUSE holds
        # one of its reads, not even when killed.
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=15)


def grep(path, pattern):
    rx = re.compile(pattern)
    with open(path, errors="replace") as f:
        return next((line.rstrip("\n") for line in f if rx.search(line)), None)


def doctor(workdir, sections, name="doctor"):
    path = os.path.join(workdir, f"{name}.toml")
    with open(path, "w") as f:
        f.write(render_config(sections))
    os.chmod(path, 0o600)
    result = subprocess.run([BINARY, "doctor", "--config", path], capture_output=True, text=True, timeout=120)
    assert result.stderr == "", result.stderr  # the lines say it all; the agent's log stays quiet
    return result.returncode, result.stdout.splitlines()


def line(lines, prefix):
    return next((l for l in lines if l.startswith(prefix)), None)


def test_doctor_passes_against_a_private_prosody(prosody, workdir):
    status, lines = doctor(workdir, base_config(prosody, workdir))
    text = "\n".join(lines)
    assert status == 0, text
    order = [l.split(":")[0] for l in lines]
    assert order[:6] == ["✔ config", "✔ file modes", "✔ clock", "✔ DNS", "✔ TCP", "✔ TLS"], text
    assert line(lines, f"✔ DNS: configured host: 127.0.0.1:{prosody.c2s_port}"), text
    assert line(lines, f"✔ TCP: 127.0.0.1:{prosody.c2s_port} accepts connections"), text
    tls = line(lines, "✔ TLS: TLSv1.2 ")
    assert tls and "certificate for kinglet.test, *.kinglet.test (name checked: kinglet.test)" in tls, text
    assert "chain CN=kinglet.test ← CN=Kinglet Test CA" in tls and re.search(r"expires \S+ \(in \d+ days\)$", tls), tls
    assert line(lines, "✔ login: online as sensor@kinglet.test/kinglet with SCRAM-SHA-256"), text
    assert line(lines, "✔ XEP-0198: "), text
    assert line(lines, "✔ PEP: the account has PEP"), text
    assert line(lines, "✔ outbox: ") and "does not exist yet" in line(lines, "✔ outbox: "), text
    assert re.search(r"^✔ sensor temperature: \d+\.\d\d °C$", text, re.M), text
    assert line(lines, "✔ identity serial_number: KINGLET-SIM-0001"), text
    assert lines[-1].startswith("all ") and lines[-1].endswith(" checks hold"), text


def test_doctor_names_a_wrong_ca(prosody, workdir):
    status, lines = doctor(workdir, base_config(prosody, workdir, ca_file=prosody.pki.rogue_ca_file))
    assert status == 1
    tls = line(lines, "✘ TLS: ")
    assert tls and "certificate not trusted" in tls and "→ set [xmpp] ca_file" in tls, lines
    assert not line(lines, "✔ login") and not line(lines, "✘ login"), lines  # never tried without TLS
    assert line(lines, "✔ sensor temperature"), lines  # the local checks still run


def test_doctor_names_a_wrong_password(prosody, workdir):
    status, lines = doctor(workdir, base_config(prosody, workdir, password="wrong"))
    assert status == 1
    assert line(lines, "✔ TLS: "), lines
    login = line(lines, "✘ login: ")
    assert login and "not-authorized" in login and "→ check [xmpp] password or password_file" in login, lines


def test_doctor_names_a_missing_stream_management(workdir):
    from conftest import start_prosody
    server = start_prosody(workdir, disabled_modules=("smacks",))
    try:
        status, lines = doctor(workdir, base_config(server, workdir))
    finally:
        server.stop()
    assert status == 1
    assert line(lines, "✔ login: "), lines
    smacks = line(lines, "✘ XEP-0198: ")
    assert smacks and "does not offer stream management" in smacks and "mod_smacks" in smacks, lines


def test_doctor_names_a_world_readable_password_file(prosody, workdir):
    secret = os.path.join(workdir, "password")
    with open(secret, "w") as f:
        f.write("sensor-secret\n")
    os.chmod(secret, 0o644)
    config = base_config(prosody, workdir, password=None, password_file=secret)
    status, lines = doctor(workdir, config)
    assert status == 1
    modes = line(lines, "✘ file modes: ")
    assert modes == f"✘ file modes: password_file {secret} is readable by every user (mode 644) → chmod 600 {secret} " \
                    "(or 640 with a group only the agent's user is in)", lines
    assert line(lines, "✔ login: "), lines  # everything else holds
    # kinglet check says it too, as a warning (it stays the offline subset)
    check = subprocess.run([BINARY, "check", "--config", os.path.join(workdir, "doctor.toml")], capture_output=True,
                           text=True, timeout=30)
    assert check.returncode == 0 and "is readable by every user" in check.stderr, check
