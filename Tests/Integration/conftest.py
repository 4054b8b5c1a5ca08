"""pytest fixtures: a private server per test (Prosody; ejabberd or jabberd2 where a test module asks for it),
accounts, the kinglet agent, and the store-and-forward rig.

`server` is the one the agent logs in to: Prosody unless a module overrides the fixture (as
test_interop_ejabberd.py does with `ejabberd`), so `agent` and `rig` work against either."""
import os
import re
import shutil
import subprocess
import tempfile

import pytest

from harness import ejabberd as ejabberd_harness
from harness import jabberd2 as jabberd2_harness
from harness.agent import BINARY, Agent, base_config
from harness.prosody import Prosody
from harness.rig import Rig

PASSWORDS = {"sensor": "sensor-secret", "alice": "alice-secret", "bob": "bob-secret", "mallory": "mallory-secret"}


def pytest_configure(config):
    if not os.path.exists(BINARY):
        raise pytest.UsageError(f"kinglet binary not found at {BINARY}: run `swift build` first")


@pytest.fixture
def workdir(request):
    # Only plain characters: a parametrized name's brackets (`test_x[ejabberd]`) are a glob
    # class to ejabberd, which then finds no certificate file under the path.
    name = re.sub(r"[^A-Za-z0-9_.-]", "-", request.node.name)[:40]
    path = tempfile.mkdtemp(prefix="kinglet-" + name + "-")
    yield path
    if getattr(request.node, "rep_call_failed", False):
        print(f"kept {path} for inspection")  # logs of the agent and Prosody are in there
    else:
        shutil.rmtree(path, ignore_errors=True)


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call_failed = report.failed


def start_prosody(workdir, **options):
    server = Prosody(workdir, **options)
    for user, password in PASSWORDS.items():
        server.register(user, password)
    server.start()
    return server


@pytest.fixture
def prosody(workdir):
    server = start_prosody(workdir)
    yield server
    server.stop()


def start_ejabberd(workdir, **options):
    """A private ejabberd with the same accounts; skips the test where ejabberd is not installed."""
    why_not = ejabberd_harness.available()
    if why_not:
        pytest.skip(why_not)
    server = ejabberd_harness.Ejabberd(workdir, **options)
    server.start()
    try:
        for user, password in PASSWORDS.items():  # accounts live in its database: register once it runs
            server.register(user, password)
    except BaseException:
        server.stop()
        raise
    return server


def start_jabberd2(workdir, **options):
    """A private jabberd2 with the same accounts; skips the test where jabberd2 is not installed."""
    why_not = jabberd2_harness.available()
    if why_not:
        pytest.skip(why_not)
    server = jabberd2_harness.Jabberd2(workdir, **options)
    for user, password in PASSWORDS.items():
        server.register(user, password)
    return server.start()


def start_server(kind, workdir, scram="SCRAM-SHA-256", **options):
    """A private Prosody, ejabberd or jabberd2 whose accounts are stored for `scram` (what it
    offers); `options` go to the server's harness class."""
    if kind == "jabberd2":
        return start_jabberd2(workdir, scram=scram, **options)
    if kind == "ejabberd":
        return start_ejabberd(workdir, scram_hash={"SCRAM-SHA-256": "sha256", "SCRAM-SHA-1": "sha"}[scram], **options)
    return start_prosody(workdir, password_hash=scram.removeprefix("SCRAM-"), **options)


@pytest.fixture(scope="module")
def jabberd2_shared():
    """One jabberd2 for all the tests of a module that ask for it (it starts in well under a
    second, but the CI budget counts every start). Its own directory: `workdir` is per test."""
    workdir = tempfile.mkdtemp(prefix="kinglet-jabberd2-")
    server = start_jabberd2(workdir)
    yield server
    server.stop()
    shutil.rmtree(workdir, ignore_errors=True)


def server_fixture(*kinds):
    """A `server` fixture for a test module, parametrized over `kinds`: a Prosody or ejabberd
    of the test's own, or the module's one jabberd2 (`jabberd2_shared`). Every fixture that
    takes `server` (`agent`, `rig`) follows it. The shared jabberd2 forgets the rosters and
    offline messages of the tests before."""
    @pytest.fixture(params=kinds)
    def server(request):
        if request.param != "jabberd2":
            return request.getfixturevalue(request.param)
        shared = request.getfixturevalue("jabberd2_shared")
        shared.forget_contacts()
        return shared
    return server


@pytest.fixture
def ejabberd(workdir):
    server = start_ejabberd(workdir)
    yield server
    server.stop()


@pytest.fixture
def server(prosody):
    return prosody


@pytest.fixture
def small_tmpfs(workdir):
    """A 2 MiB tmpfs under the test's directory: a disk that really fills (ENOSPC)."""
    path = os.path.join(workdir, "tmpfs")
    os.makedirs(path)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", path], capture_output=True).returncode != 0:
        pytest.skip("mounting a tmpfs is not allowed here (needs root)")
    yield path
    subprocess.run(["umount", "-l", path], capture_output=True)


def fill_up(directory, leave):
    """Writes a ballast file that leaves about `leave` bytes free on `directory`'s file system."""
    ballast = os.path.join(directory, "ballast")
    free = os.statvfs(directory)
    with open(ballast, "wb") as f:
        f.write(b"\0" * max(0, free.f_bavail * free.f_frsize - leave))
    return ballast


@pytest.fixture
def agent_factory(workdir):
    agents = []

    def make(sections, name="agent", binary=None):
        agent = Agent(workdir, sections, name=name, binary=binary)
        agents.append(agent)
        return agent

    yield make
    for agent in agents:
        agent.kill()


@pytest.fixture
def agent(server, workdir, agent_factory):
    """A running agent logged in to the test server with the simulated device."""
    a = agent_factory(base_config(server, workdir)).start()
    a.wait_online()
    yield a


@pytest.fixture
def rig(server, workdir, agent_factory):
    """`rig(**options)`: a started harness/rig.py Rig against the test server; stopped afterwards."""
    rigs = []

    def make(**options):
        r = Rig(server, workdir, agent_factory, PASSWORDS["alice"], **options)
        rigs.append(r)
        return r.start()

    yield make
    for r in rigs:
        r.stop()
