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


def smaps_rollup_kib(pid):
    """/proc/PID/smaps_rollup as {field: KiB}: Rss, Pss, Anonymous (the private memory the
    process allocated itself), Private_Clean, Shared_Clean..."""
    fields = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "kB":
                fields[parts[0].rstrip(":")] = int(parts[1])
    return fields


def rss_by_mapping_kib(pid, binary):
    """(Rss of the executable's own file mappings, Rss of every other file mapping), in KiB,
    from /proc/PID/smaps (smaps_rollup has only the totals)."""
    import os
    own = libraries = 0
    path = None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            parts = line.split()
            if parts and "-" in parts[0] and len(parts) >= 5 and ":" in parts[3]:
                path = parts[5] if len(parts) > 5 else None
            elif parts[:1] == ["Rss:"] and path and path.startswith("/"):
                if os.path.realpath(path) == os.path.realpath(binary):
                    own += int(parts[1])
                else:
                    libraries += int(parts[1])
    return own, libraries


def footprint(pid, binary):
    """The memory figures `make bench` compares, in MiB: resident (Rss), private (Anonymous),
    the binary's own pages, shared libraries, proportional (Pss)."""
    rollup = smaps_rollup_kib(pid)
    own, libraries = rss_by_mapping_kib(pid, binary)
    mib = lambda kib: round(kib / 1024, 2)  # noqa: E731
    return {"rss": mib(rollup["Rss"]), "private": mib(rollup["Anonymous"]), "binary": mib(own),
            "libraries": mib(libraries), "pss": mib(rollup["Pss"])}


def cpu_seconds(pid):
    """User plus system CPU time a process has used so far, in seconds (/proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
