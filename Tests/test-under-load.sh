#!/usr/bin/env bash
# `make test` three times in a row while two CPU-bound processes (`yes > /dev/null`) run beside
# it, as on a CI machine shared with other work: the tests must not depend on a quiet machine.
# Prints one line per run (passed or failed, how long) and the three together at the end; each
# run's output is kept in .build/test-under-load/run-N.log. Exit status 0 only if all passed.
set -u
cd "$(dirname "$0")/.."
logs=.build/test-under-load
mkdir -p "$logs"

yes > /dev/null &
burner1=$!
yes > /dev/null &
burner2=$!
trap 'kill "$burner1" "$burner2" 2>/dev/null' EXIT
echo "two CPU-bound processes running beside the tests (pids $burner1, $burner2) on $(nproc) cores"

results=()
failed=0
for run in 1 2 3; do
    start=$(date +%s)
    if make test > "$logs/run-$run.log" 2>&1; then
        outcome="passed"
    else
        outcome="FAILED (exit $?; the last lines of $logs/run-$run.log say why)"
        failed=1
    fi
    unit=$(grep -aE "Test run with [0-9]+ tests" "$logs/run-$run.log" | tail -1 | sed 's/\x1b\[[0-9;]*m//g; s/^[^A-Za-z]*//')
    integration=$(grep -aE "^[0-9]+ (passed|failed)|[0-9]+ passed" "$logs/run-$run.log" | tail -1)
    results+=("run $run: $outcome in $(( $(date +%s) - start )) s; unit: ${unit:-no summary}; integration: ${integration:-no summary}")
    echo "${results[-1]}"
done

echo
echo "make test under load (two CPU-bound processes beside it):"
printf '  %s\n' "${results[@]}"
exit $failed
