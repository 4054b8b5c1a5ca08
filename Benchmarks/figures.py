"""What the process-level benchmark scripts share: the import path to the integration-test
harness (they drive the same Prosody and agent), the `name  value unit` line every figure is
printed as (like kinglet-bench's), and reading a process's memory from /proc."""
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "Tests", "Integration"))


def figure(name, value, unit):
    print(f"{name:<44}{value} {unit}", flush=True)


def status_kib(pid, field):
    """A `kB` field of /proc/PID/status (RssAnon, VmRSS...); -1 when it is not there."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1
