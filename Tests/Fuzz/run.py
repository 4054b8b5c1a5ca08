#!/usr/bin/env python3
"""Runs every fuzz target (or those named) for N seconds each, two at a time, and prints what
each did: executions, coverage, corpus, peak memory, and any crash.

The corpus each target grows is kept in .build-fuzz/corpus/<target> (read with the committed
seeds in Tests/Fuzz/Corpus/<target>), so a later run starts where this one stopped. A crash,
time-out (20 s for one input) or out-of-memory (2 GiB) leaves its input in
.build-fuzz/artifacts/<target>/ and makes the exit status 1; replay it with
`.build/debug/kinglet-fuzz --target=NAME FILE` (the ordinary build, no sanitizers) or with the
fuzzing build, which reruns only that input.

    python3 Tests/Fuzz/run.py --binary .build-fuzz/debug/kinglet-fuzz --seconds 60 [--jobs 2] [TARGET...]
"""
import argparse
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

FUZZ = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(FUZZ))
WORK = os.path.join(REPO, ".build-fuzz")


def targets(binary):
    return subprocess.run([binary, "--list"], capture_output=True, text=True, check=True).stdout.split()


def fuzz(binary, target, seconds):
    corpus = os.path.join(WORK, "corpus", target)
    artifacts = os.path.join(WORK, "artifacts", target)
    os.makedirs(corpus, exist_ok=True)
    os.makedirs(artifacts, exist_ok=True)
    log_path = os.path.join(WORK, f"{target}.log")
    # Leak detection is off (here and at exit): LeakSanitizer cannot follow the tagged pointers Swift keeps to the
    # side tables of weakly referenced objects and reports them as leaks. Growth that matters
    # still fails the run through the 2 GiB memory limit.
    command = [binary, f"--target={target}", f"-max_total_time={seconds}", "-print_final_stats=1", "-timeout=20",
               "-rss_limit_mb=2048", "-detect_leaks=0", "-max_len=16384", f"-artifact_prefix={artifacts}/", corpus,
               os.path.join(FUZZ, "Corpus", target)]
    # The Swift runtime's own crash backtracer reads the stack in a way AddressSanitizer reports
    # as an error of its own; libFuzzer's report is the one wanted.
    env = dict(os.environ, SWIFT_BACKTRACE="enable=no", ASAN_OPTIONS="detect_leaks=0")
    started = time.monotonic()
    with open(log_path, "w") as log:
        status = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, env=env,
                                timeout=seconds * 3 + 120).returncode
    return summarize(target, status, time.monotonic() - started, log_path, artifacts)


def summarize(target, status, elapsed, log_path, artifacts):
    text = open(log_path, errors="replace").read()
    progress = re.findall(r"^#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)/(\S+)", text, re.M)
    stat = dict(re.findall(r"^stat::(\w+):\s+(\d+)", text, re.M))
    last = progress[-1] if progress else ("0", "0", "0", "0", "0b")
    crash = re.search(r"(Fatal error: .*|ERROR: (?:AddressSanitizer|LeakSanitizer|libFuzzer): .*)", text)
    return {
        "target": target, "status": status, "seconds": elapsed,
        "executions": int(stat.get("number_of_executed_units", last[0])),
        "coverage": int(last[1]), "features": int(last[2]), "corpus": f"{last[3]} files/{last[4]}",
        "rss": int(stat.get("peak_rss_mb", 0)), "crash": crash.group(1) if crash else None,
        "artifacts": sorted(os.listdir(artifacts)), "log": log_path,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(WORK, "debug", "kinglet-fuzz"))
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("targets", nargs="*")
    args = parser.parse_args()
    names = args.targets or targets(args.binary)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(lambda t: fuzz(args.binary, t, args.seconds), names))
    print(f"{'target':<14} {'executions':>11} {'exec/s':>7} {'cov':>6} {'ft':>7} {'corpus':>18} {'rss MB':>7}  result")
    failed = False
    for r in results:
        ok = r["status"] == 0 and not r["crash"]
        failed |= not ok
        print(f"{r['target']:<14} {r['executions']:>11,} {r['executions'] / max(r['seconds'], 1):>7,.0f} {r['coverage']:>6} "
              f"{r['features']:>7} {r['corpus']:>18} {r['rss']:>7}  {'clean' if ok else 'FAILED'}")
    total = sum(r["executions"] for r in results)
    print(f"fuzz.total  {total:,} executions in {len(results)} targets x {args.seconds} s, "
          f"{time.monotonic() - started:.0f} s wall")
    for r in results:
        if r["status"] != 0 or r["crash"]:
            print(f"\n{r['target']}: {r['crash'] or 'exit status ' + str(r['status'])}\n  log: {r['log']}")
            for name in r["artifacts"]:
                print(f"  input: .build-fuzz/artifacts/{r['target']}/{name}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
