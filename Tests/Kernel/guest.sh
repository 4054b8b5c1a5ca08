#!/bin/busybox sh
# The kernel test's /init, run by the VM's Linux 6.1 (see run.sh). Sets up the simulated
# hardware, drives the real `kinglet` binary against it, and prints one line per check on the
# serial console: `KTEST ok NAME: detail`, `KTEST FAIL NAME: detail`, `KTEST figure ...`, and
# `KTEST end` before powering off. Checks are in the order README describes them.
/bin/busybox --install -s /bin
export PATH=/bin:/usr/local/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mkdir -p /run && mount -t tmpfs run /run
ip link set lo up 2>/dev/null
cd /kt

failures=0
ok() { echo "KTEST ok $1: $2"; }
fail() {
    echo "KTEST FAIL $1: $2"
    failures=$((failures + 1))
}
check() {  # NAME DETAIL CONDITION...: ok when the condition (a command) succeeds
    name=$1 detail=$2
    shift 2
    if "$@"; then ok "$name" "$detail"; else fail "$name" "$detail"; fi
}
contains() { case "$1" in *"$2"*) return 0 ;; esac; return 1; }
finish() {
    echo "KTEST end"
    sync
    poweroff -f
}

# --- Hardware ------------------------------------------------------------------------------------
for m in configfs irq_sim gpio-sim industrialio industrialio-configfs industrialio-sw-device iio_dummy kinglet_test_thermal; do
    insmod /lib/modules/$m.ko || { fail modules "insmod $m"; finish; }
done
mount -t configfs none /sys/kernel/config
# One gpio-sim chip, labelled kinglet-sim, with named lines.
sim=/sys/kernel/config/gpio-sim/kt
mkdir $sim $sim/bank0
echo 8 >$sim/bank0/num_lines
echo kinglet-sim >$sim/bank0/label
for line in 0:door 1:relay 2:valve 3:busy 4:float; do
    mkdir $sim/bank0/line${line%%:*}
    echo ${line#*:} >$sim/bank0/line${line%%:*}/name
done
echo 1 >$sim/live
chip=$(cat $sim/bank0/chip_name)
lines=/sys/devices/platform/$(cat $sim/dev_name)/$chip
mkdir /sys/kernel/config/iio/devices/dummy/kdummy
check modules "gpio-sim $chip (label kinglet-sim), iio_dummy, kinglet_test_thermal loaded; vermagic $(uname -r)" \
    test -c /dev/$chip -a -e /sys/bus/iio/devices/iio:device0/in_voltage0_raw -a -e /sys/class/thermal/thermal_zone0/temp

# The value column of `kinglet read`'s table for one name.
value() { awk -v n="$1" '$1 == n { print $2 }'; }
note() { awk -v n="$1" '$1 == n { sub(/^.*(momentary|status|identity) */, ""); print }'; }

# --- GPIO inputs ---------------------------------------------------------------------------------
echo pull-up >$lines/sim_gpio0/pull
up=$(kinglet read --profile kernel-test.toml --once | value door)
echo pull-down >$lines/sim_gpio0/pull
down=$(kinglet read --profile kernel-test.toml --once | value door)
check gpio-input "door (active-low) reads '$up' pulled up, '$down' pulled down" test "$up" = false -a "$down" = true

# The line's own bias: a pull-down request overrides the simulator's pull-up.
echo pull-up >$lines/sim_gpio4/pull
float=$(kinglet read --profile kernel-test.toml --once | value float)
check gpio-bias "float (bias pull-down) reads '$float' against a pull-up" test "$float" = false

# A line the legacy sysfs interface holds: the error says who.
for legacy in /sys/class/gpio/gpiochip*; do [ "$(cat $legacy/label)" = kinglet-sim ] && base=$(cat $legacy/base); done
echo $((base + 3)) >/sys/class/gpio/export
table=$(kinglet read --profile busy.toml --once busy)
status=$?
busy=$(echo "$table" | note busy)
check gpio-busy "exit $status, $busy" contains "$status $busy" "1 error: request line 3 of /dev/$chip: Device or resource busy: held by 'sysfs'"
echo $((base + 3)) >/sys/class/gpio/unexport

# --- Kernel sources ------------------------------------------------------------------------------
table=$(kinglet read --profile kernel-test.toml --once)
zone=$(echo "$table" | value zone)
hwmon=$(echo "$table" | value zone_hwmon)
adc=$(echo "$table" | value adc)
echo 30500 >/sys/module/kinglet_test_thermal/parameters/millicelsius
zone2=$(kinglet read --profile kernel-test.toml --once | value zone)
check thermal "zone kinglet-test reads $zone then $zone2 °C, its hwmon chip $hwmon °C" \
    test "$zone" = 21.5 -a "$zone2" = 30.5 -a "$hwmon" = 21.5
# iio_dummy: in_voltage0_raw 73, _offset 7, _scale 0.001333: (73 + 7) × 0.001333 = 0.10664.
check iio "adc reads $adc V from (raw $(cat /sys/bus/iio/devices/iio:device0/in_voltage0_raw) + offset 7) × scale 0.001333" \
    test "$adc" = 0.10664

# --- kinglet set ---------------------------------------------------------------------------------
leds=/sys/class/leds/input0::capslock
said=$(kinglet set --profile kernel-test.toml capslock on)
on=$(cat $leds/brightness)
kinglet set --profile kernel-test.toml capslock off >/dev/null
check led-output "'$said'; brightness $on, then $(cat $leds/brightness) after off" test "$on" = 1 -a "$(cat $leds/brightness)" = 0

iio=/sys/bus/iio/devices/iio:device0
said=$(kinglet set --profile kernel-test.toml dac 1234)
check iio-dac-output "'$said'; out_voltage0_raw $(cat $iio/out_voltage0_raw)" test "$(cat $iio/out_voltage0_raw)" = 1234
said=$(kinglet set --profile kernel-test.toml capslock on dac 99999 2>&1)
status=$?
check set-invalid "exit $status: '$said'; DAC still $(cat $iio/out_voltage0_raw), LED still $(cat $leds/brightness)" \
    test $status = 1 -a "$(cat $iio/out_voltage0_raw)" = 1234 -a "$(cat $leds/brightness)" = 0

# Waits up to $2 seconds for file $1 to contain $3.
wait_for() {
    i=0
    while [ $i -lt $(($2 * 10)) ]; do contains "$(cat $1 2>/dev/null)" "$3" && return 0; usleep 100000; i=$((i + 1)); done
    return 1
}
kinglet set --profile kernel-test.toml --hold relay on valve on >/tmp/hold.out 2>&1 &
holder=$!
wait_for /tmp/hold.out 30 holding
relay=$(cat $lines/sim_gpio1/value) valve=$(cat $lines/sim_gpio2/value)
kill $holder
wait $holder
status=$?
check gpio-output "relay on, valve on (active-low): lines $relay and $valve while held; exit $status on SIGTERM, relay line $(cat $lines/sim_gpio1/value) once let go" \
    test "$relay" = 1 -a "$valve" = 0 -a $status = 0 -a "$(cat $lines/sim_gpio1/value)" = 0

# --- Outputs that survive a restart ----------------------------------------------------------------
# `kinglet set --config` keeps the values where the agent finds them; relay restores its last
# value (restore = "last"), valve its initial one (restore = "initial").
said=$(kinglet set --config agent.toml relay on valve on | tr '\n' ' ')
check set-saved "$said" contains "$said" 'saved: the agent starts relay at this value saved, but valve starts at its initial value'

now_ms() { adjtimex | awk '/tv_sec/ { s = $2 } /tv_usec/ { u = $2 } END { printf "%.0f", s * 1000 + int(u / 1000) }'; }
ms_of() {  # 2026-11-21T08:30:00.050Z -> milliseconds since the epoch
    seconds=$(date -u -D '%Y-%m-%dT%H:%M:%S' -d "${1%.*}" +%s)
    millis=${1##*.}
    echo $((seconds * 1000 + $(echo ${millis%Z} | sed 's/^0*//;s/^$/0/')))
}
door_rows() { kinglet buffer export --config agent.toml --format csv | awk -F, '$5 == "door" { print $4 " " $7 }'; }
wait_until() {  # SECONDS COMMAND...: polls every 0.1 s
    limit=$(($1 * 10))
    shift
    i=0
    while [ $i -lt $limit ]; do "$@" && return 0; usleep 100000; i=$((i + 1)); done
    return 1
}
line_is() { [ "$(cat $lines/sim_gpio$1/value)" = "$2" ]; }
rows_are() { [ "$(door_rows | wc -l)" -ge "$1" ]; }
start_agent() {
    kinglet run --config agent.toml >>/tmp/agent.log 2>&1 &
    agent=$!
}

echo pull-down >$lines/sim_gpio0/pull   # the door is open (active-low) when the agent starts
start_agent
both_high() { line_is 1 1 && line_is 2 1; }
wait_until 60 both_high
check agent-restore "after kinglet set: relay line $(cat $lines/sim_gpio1/value) (restored on), valve line $(cat $lines/sim_gpio2/value) (initial off, active-low)" \
    both_high

said=$(kinglet set --profile kernel-test.toml relay off 2>&1)
status=$?
check set-refused "exit $status: $said" contains "$status $said" "1 kinglet set: relay is driven by a running process (pid $agent: kinglet run --config agent.toml); nothing was set. Stop it first (kill $agent)"
table=$(kinglet read --profile kernel-test.toml --once door)
check gpio-held-by-agent "$(echo "$table" | note door)" contains "$table" "held by 'kinglet'"

# Edges: the door closes (line pulled up); its reading comes after the debounce period, not at
# the next tick an hour later, stamped when the kernel saw the level settle.
wait_until 60 rows_are 1
before=$(now_ms)
echo pull-up >$lines/sim_gpio0/pull
wait_until 20 rows_are 2
edge=$(door_rows | sed -n 2p)
latency=$(($(ms_of "${edge% *}") - before))
check edge-reading "door readings: $(door_rows | tr '\n' ';') the closing stamped ${latency} ms after the pull (debounce 200 ms)" \
    test "${edge#* }" = false -a $latency -ge 190 -a $latency -le 1500
# A bounce shorter than the debounce period, back where it began, then (after more than the
# period) a real opening: had the bounce leaked, its edges would come before the opening's.
echo pull-down >$lines/sim_gpio0/pull
echo pull-up >$lines/sim_gpio0/pull
echo pull-down >$lines/sim_gpio0/pull
echo pull-up >$lines/sim_gpio0/pull
usleep 500000
echo pull-down >$lines/sim_gpio0/pull
wait_until 20 rows_are 3
rows=$(door_rows)
check edge-debounce "after a bounce and an opening: $(echo "$rows" | tr '\n' ';')" \
    test "$(echo "$rows" | wc -l)" = 3 -a "$(echo "$rows" | sed -n '3s/.* //p')" = true

# Memory as the kernel counts it (smaps_rollup: VmRSS in /proc/PID/status lags on 6.1).
rollup() { awk -v k="$1:" '$1 == k { print $2 }' /proc/$agent/smaps_rollup; }
for key in Rss Pss Pss_Anon Pss_File Pss_Shmem; do echo "KTEST figure agent.guest.$key $(rollup $key) kB"; done
echo "KTEST figure agent.guest.VmRSS $(awk '$1 == "VmRSS:" { print $2 }' /proc/$agent/status) kB"

# Stop (SIGTERM) and start again: the line is let go, then the agent drives it back to on.
kill $agent
wait $agent
stopped=$?
released=$(cat $lines/sim_gpio1/value)
start_agent
wait_until 60 line_is 1 1
check restart-restore "exit $stopped on SIGTERM; relay line $released while stopped, $(cat $lines/sim_gpio1/value) after the start" \
    test $stopped = 0 -a $released = 0 -a "$(cat $lines/sim_gpio1/value)" = 1
kill $agent
wait $agent
if [ $failures != 0 ]; then
    echo "--- the agent's log"
    cat /tmp/agent.log
fi

finish
