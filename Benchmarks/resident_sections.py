#!/usr/bin/env python3
"""Which parts of an executable are resident in a running process: /proc/PID/pagemap says which
pages of each mapping of the file are present, readelf says which section each file offset
belongs to. `python3 Benchmarks/resident_sections.py PID BINARY` prints KiB resident per section
(a page shared by two sections counts for the first); bench_agent.py prints the same for the idle
agent."""
import collections
import os
import re
import struct
import subprocess
import sys

PAGE = os.sysconf("SC_PAGE_SIZE")


def sections(binary):
    """[(file offset, size, name)] of the sections that occupy the file, by offset."""
    listing = subprocess.run(["readelf", "-S", "-W", binary], capture_output=True, text=True, check=True).stdout
    result = []
    for line in listing.splitlines():
        match = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)", line)
        if match and match.group(2) != "NOBITS" and match.group(1) != "NULL":
            offset, size = int(match.group(4), 16), int(match.group(5), 16)
            if size:
                result.append((offset, size, match.group(1)))
    return sorted(result)


def resident_file_pages(pid, binary):
    """File page numbers of `binary` present in the process's page tables."""
    target = os.path.realpath(binary)
    pages = set()
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/pagemap", "rb") as pagemap:
        for line in maps:
            parts = line.split()
            if len(parts) < 6 or os.path.realpath(parts[5]) != target:
                continue
            start, end = (int(x, 16) for x in parts[0].split("-"))
            file_page = int(parts[2], 16) // PAGE
            count = (end - start) // PAGE
            pagemap.seek(start // PAGE * 8)
            entries = struct.unpack(f"{count}Q", pagemap.read(count * 8))
            for i, entry in enumerate(entries):
                if entry >> 63:  # present
                    pages.add(file_page + i)
    return pages


def resident_by_section(pid, binary):
    table = sections(binary)
    kib = collections.OrderedDict((name, 0) for _, _, name in table)
    for page in sorted(resident_file_pages(pid, binary)):
        offset = page * PAGE
        owner = next((name for start, size, name in table if start < offset + PAGE and offset < start + size), "(other)")
        kib[owner] = kib.get(owner, 0) + PAGE // 1024
    return kib


if __name__ == "__main__":
    pid, binary = int(sys.argv[1]), sys.argv[2]
    sizes = {name: size for _, size, name in sections(binary)}
    for name, value in resident_by_section(pid, binary).items():
        if value:
            print(f"{name:<32}{value:>8} KiB resident of {sizes.get(name, 0) // 1024} KiB")
