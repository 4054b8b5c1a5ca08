#!/usr/bin/env python3
"""The agent under a flood, through a loopback Prosody, run by `make bench`.

For `--seconds` (default 40) an authorised viewer sends XEP-0323 historical readouts (`from`
1900 `to` 2100, 191 bytes each, each answered with the whole stored history: about 100
readings) as fast as the server takes them, while a stranger floods the same requests. The
device samples at 10 Hz and keeps the last 100 readings as history. Meanwhile an operator
pings the device every 250 ms and is subscribed to its readings. Printed, as `name value unit`:

- `flood.rss_anon.peak`: the agent's private memory at its highest (sampled every 50 ms);
- `flood.operator_ping.p50` / `.p99`: the operator's ping round trips during the flood (a ping
  never answered counts as longer than any answered one);
- `flood.published.rate`: readings reaching the operator's subscription per second of flood;
- `flood.log_lines`: what the agent logged at level info during the flood."""
import argparse
import os
import tempfile

from figures import REPO, figure  # noqa: E402  (also puts the test harness on the path)

from conftest import PASSWORDS  # noqa: E402
from harness.agent import Agent, base_config  # noqa: E402
from harness.flood import Flood, flood_server  # noqa: E402


def flood_config(prosody, workdir):
    """The agent of the flood scenario: 10 Hz sampling, 100 readings of history, level info."""
    config = base_config(prosody, workdir)
    config["device"]["interval"] = "100ms"
    config["store"]["history_max_readings"] = 100
    config["log"] = {"level": "info"}
    return config


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(REPO, ".build", "release", "kinglet"))
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--client-rate", help="hold the flooders to this (Prosody limits, e.g. 100kb/s); default: no limit")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kinglet-flood-") as workdir:
        prosody = flood_server(workdir, PASSWORDS, client_rate=args.client_rate)
        agent = None
        try:
            agent = Agent(workdir, flood_config(prosody, workdir), name="flood", binary=os.path.abspath(args.binary))
            agent.start().wait_online(timeout=30)
            figures = Flood(prosody, agent, PASSWORDS).run(seconds=args.seconds)
            for name, value, unit in figures.lines():
                figure(name, value, unit)
        finally:
            if agent:
                agent.kill()
            prosody.stop()


if __name__ == "__main__":
    main()
