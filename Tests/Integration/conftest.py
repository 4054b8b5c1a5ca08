"""pytest fixtures: a private Prosody per test module, accounts, and the kinglet agent."""
import os
import shutil
import tempfile

import pytest

from harness.agent import BINARY, Agent, base_config
from harness.prosody import Prosody

PASSWORDS = {"sensor": "sensor-secret", "alice": "alice-secret", "bob": "bob-secret", "mallory": "mallory-secret"}


def pytest_configure(config):
    if not os.path.exists(BINARY):
        raise pytest.UsageError(f"kinglet binary not found at {BINARY}: run `swift build` first")


@pytest.fixture
def workdir(request):
    path = tempfile.mkdtemp(prefix="kinglet-" + request.node.name[:40] + "-")
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


@pytest.fixture
def agent_factory(workdir):
    agents = []

    def make(sections, name="agent"):
        agent = Agent(workdir, sections, name=name)
        agents.append(agent)
        return agent

    yield make
    for agent in agents:
        agent.kill()


@pytest.fixture
def agent(prosody, workdir, agent_factory):
    """A running agent logged in to the test Prosody with the simulated device."""
    a = agent_factory(base_config(prosody, workdir)).start()
    a.wait_online()
    yield a
