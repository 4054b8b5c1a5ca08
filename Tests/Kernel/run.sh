#!/usr/bin/env bash
# The real-kernel test: boots Debian 12's Linux 6.1 in QEMU (software emulation, no network, a
# time limit) with the release binary, simulated GPIO chips (gpio-sim), an IIO device
# (iio_dummy), a settable thermal zone (our own module) and the keyboard LEDs QEMU's PC has,
# runs Tests/Kernel/guest.sh inside and checks what it printed on the serial console.
#
#   Tests/Kernel/run.sh [BINARY]        default BINARY: .build/kinglet-stripped (make release)
#
# Exit status: 0 every check passed, 1 a check failed or the VM did not finish, 77 the VM cannot
# run on this machine (no QEMU and no way to install it, no disk space): skipped, not passed.
#
# Everything comes from Debian packages: the kernel image and headers are downloaded with
# `apt-get download` and unpacked into the cache (nothing touches the host's /boot); gpio-sim,
# irq_sim and iio_dummy are built out of tree from linux-source-6.1 against the headers. The
# cache (.build-kernel/, or $KINGLET_KERNEL_CACHE) makes a second run take about a minute.
set -euo pipefail
readonly SKIPPED=77
cd "$(dirname "$0")/../.."
REPO=$PWD
BINARY=${1:-$REPO/.build/kinglet-stripped}
CACHE=${KINGLET_KERNEL_CACHE:-$REPO/.build-kernel}
TIME_LIMIT=${KINGLET_KERNEL_TIME_LIMIT:-420}
ACCEL=${KINGLET_KERNEL_ACCEL:-tcg}

say() { printf 'kernel-test [%3ds] %s\n' "$SECONDS" "$*"; }
skip() { say "SKIPPED: $*"; exit $SKIPPED; }
fail() { say "FAILED: $*"; exit 1; }

# --- Tools -------------------------------------------------------------------------------------
missing=()
command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
command -v cpio >/dev/null || missing+=(cpio)
command -v gcc-12 >/dev/null || missing+=(gcc-12)
command -v make >/dev/null || missing+=(make)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        skip "needs ${missing[*]} and cannot install them (not root, or no apt-get)"
    fi
    say "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
        || skip "could not install ${missing[*]}"
fi
[ -x "$BINARY" ] || fail "no binary at $BINARY (make release builds it)"
mkdir -p "$CACHE"
free_mb=$(df -Pm "$CACHE" | awk 'NR == 2 { print $4 }')
[ "$free_mb" -ge 1500 ] || skip "only ${free_mb} MB free under $CACHE; the kernel packages need about 1.5 GB"

# --- Kernel packages ---------------------------------------------------------------------------
# The ABI the linux-image-amd64 metapackage points at, and the matching headers and source.
apt-cache show linux-image-amd64 >/dev/null 2>&1 || apt-get update -qq
image=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-6\.1/ { print $2; exit }')
[ -n "$image" ] || skip "no Debian 6.1 kernel package known to apt (linux-image-amd64)"
abi=${image#linux-image-}
version=$(apt-cache show "$image" | awk '/^Version:/ { print $2; exit }')
release=$abi
work=$CACHE/$abi
root=$work/root
if [ ! -e "$work/unpacked" ]; then
    say "downloading $image $version and its headers, kbuild and source"
    mkdir -p "$work/debs" && rm -rf "$root"
    (cd "$work/debs" && apt-get download -q "$image=$version" "linux-headers-$abi=$version" \
        "linux-headers-${abi%-amd64}-common=$version" "linux-kbuild-6.1=$version" "linux-source-6.1=$version" \
        busybox-static >/dev/null 2>&1) || fail "apt-get download of the $version kernel packages failed"
    for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$root"; done
    # The headers' Makefile includes the common part by its installed path; point it here.
    sed -i "s|^include /usr/src/|include $root/usr/src/|" "$root/usr/src/linux-headers-$abi/Makefile"
    say "unpacking the driver sources from linux-source-6.1"
    tar -xJf "$root/usr/src/linux-source-6.1.tar.xz" -C "$work" --wildcards \
        'linux-source-6.1/drivers/gpio/gpio-sim.c' 'linux-source-6.1/drivers/gpio/gpiolib.h' \
        'linux-source-6.1/kernel/irq/irq_sim.c' 'linux-source-6.1/drivers/iio/dummy/iio_simple_dummy.[ch]' \
        'linux-source-6.1/drivers/iio/industrialio-sw-device.c' 'linux-source-6.1/drivers/iio/industrialio-configfs.c'
    touch "$work/unpacked"
fi
kernel=$root/boot/vmlinuz-$release
modules=$root/lib/modules/$release/kernel

# --- Out-of-tree modules -------------------------------------------------------------------------
# Built against the headers, so their vermagic (and symbol versions) match the kernel exactly.
copy_sources() {  # DIR KBUILD-LINES FILE...
    local dir=$work/modules/$1
    rm -rf "$dir" && mkdir -p "$dir"
    printf '%b\n' "$2" >"$dir/Kbuild"
    shift 2
    cp "$@" "$dir/"
}
build_modules() {  # DIR
    make -s -C "$root/usr/src/linux-headers-$abi" M="$work/modules/$1" modules >"$work/modules/$1.log" 2>&1 \
        || { cat "$work/modules/$1.log"; fail "building the $1 modules failed"; }
}
src=$work/linux-source-6.1
if [ ! -e "$work/modules/built" ] || [ Tests/Kernel/modules/kinglet_test_thermal.c -nt "$work/modules/built" ]; then
    say "building gpio-sim, irq_sim, iio_dummy and kinglet_test_thermal for $release"
    copy_sources gpio "obj-m := irq_sim.o gpio-sim.o" "$src/drivers/gpio/gpio-sim.c" "$src/drivers/gpio/gpiolib.h" \
        "$src/kernel/irq/irq_sim.c"
    # irq_sim is built into kernels that select it; Debian's does not. As a module it cannot
    # call irq_to_desc (not exported): generic_handle_irq does the same lookup and dispatch.
    sed -i 's/handle_simple_irq(irq_to_desc(irqnum));/generic_handle_irq(irqnum);/' "$work/modules/gpio/irq_sim.c"
    grep -q 'generic_handle_irq(irqnum)' "$work/modules/gpio/irq_sim.c" || fail "irq_sim.c changed: the patch no longer applies"
    echo 'MODULE_LICENSE("GPL");' >>"$work/modules/gpio/irq_sim.c"
    copy_sources iio "obj-m := industrialio-configfs.o industrialio-sw-device.o iio_dummy.o\niio_dummy-y := iio_simple_dummy.o" \
        "$src/drivers/iio/dummy/iio_simple_dummy.c" "$src/drivers/iio/dummy/iio_simple_dummy.h" \
        "$src/drivers/iio/industrialio-sw-device.c" "$src/drivers/iio/industrialio-configfs.c"
    copy_sources thermal "obj-m := kinglet_test_thermal.o" Tests/Kernel/modules/kinglet_test_thermal.c
    for dir in gpio iio thermal; do build_modules $dir; done
    touch "$work/modules/built"
fi
vermagic() { strings "$1" | sed -n 's/^vermagic=//p'; }
expected=$(vermagic "$modules/fs/configfs/configfs.ko")
for ko in "$work"/modules/*/*.ko; do
    [ "$(vermagic "$ko")" = "$expected" ] || fail "$(basename "$ko"): vermagic '$(vermagic "$ko")' is not the kernel's '$expected'"
done

# --- The image -----------------------------------------------------------------------------------
run=$CACHE/run
rm -rf "$run" && mkdir -p "$run/image"/{bin,dev,proc,sys,tmp,etc,kt,lib/modules,usr/local/bin,var/lib/kinglet}
image_dir=$run/image
[ -e "$image_dir/bin/busybox" ] || dpkg-deb --fsys-tarfile "$work"/debs/busybox-static_*.deb | tar -xO ./bin/busybox >"$image_dir/bin/busybox"
chmod 755 "$image_dir/bin/busybox"
install -m 755 "$BINARY" "$image_dir/usr/local/bin/kinglet"
# The shared libraries the binary links, at the paths the dynamic loader looks for them.
for lib in $(ldd "$BINARY" | awk '$3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
    mkdir -p "$image_dir$(dirname "$lib")"
    cp -L "$lib" "$image_dir$lib"
done
for ko in "$modules/fs/configfs/configfs.ko" "$modules/drivers/iio/industrialio.ko" "$work"/modules/*/*.ko; do
    cp "$ko" "$image_dir/lib/modules/"
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$image_dir/etc/passwd"
cp /etc/ssl/certs/ca-certificates.crt "$image_dir/etc/ca.pem" 2>/dev/null || : >"$image_dir/etc/ca.pem"
cp Tests/Kernel/guest.sh "$image_dir/init"
cp Tests/Kernel/guest/* "$image_dir/kt/"
chmod 755 "$image_dir/init"
(cd "$image_dir" && find . | cpio -o -H newc --quiet | gzip -1) >"$run/initrd.gz"
say "image: $(du -m "$run/initrd.gz" | cut -f1) MB compressed; booting $release under QEMU ($ACCEL, limit ${TIME_LIMIT}s)"

# --- Boot ----------------------------------------------------------------------------------------
log=$run/serial.log
accel=(-accel tcg)
[ "$ACCEL" = kvm ] && accel=(-accel kvm -cpu host)
boot_start=$SECONDS
status=0
timeout "$TIME_LIMIT" qemu-system-x86_64 "${accel[@]}" -m 512 -smp 2 -display none -monitor none -no-reboot -nic none \
    -serial "file:$log" -kernel "$kernel" -initrd "$run/initrd.gz" \
    -append "console=ttyS0 panic=-1 quiet rdinit=/init" || status=$?
[ "$status" = 124 ] && { tail -40 "$log"; fail "the VM did not finish within ${TIME_LIMIT}s"; }
if [ "$status" != 0 ]; then
    tail -40 "$log" 2>/dev/null
    # QEMU that never got the guest going is this machine's limit; a guest that ran and then
    # took QEMU down is a failure.
    grep -q '^KTEST' "$log" 2>/dev/null && fail "QEMU exited with status $status during the test"
    skip "QEMU could not start the VM (status $status)"
fi
say "the VM ran for $((SECONDS - boot_start))s"

# --- What the guest said -------------------------------------------------------------------------
# guest.sh prints `KTEST ok NAME: detail`, `KTEST FAIL NAME: detail`, `KTEST figure NAME VALUE UNIT`
# and `KTEST end`; every check in Tests/Kernel/checks must have passed.
tr -d '\r' <"$log" | grep '^KTEST' | sed 's/^KTEST /  /' || true
grep -q '^KTEST end' "$log" || { tail -40 "$log"; fail "the guest did not reach its end"; }
failed=$(grep -c '^KTEST FAIL' "$log" || true)
absent=()
while read -r check; do
    [ -z "$check" ] || grep -q "^KTEST ok $check:" "$log" || absent+=("$check")
done <Tests/Kernel/checks
[ "$failed" = 0 ] || fail "$failed check(s) failed (serial log: $log)"
[ ${#absent[@]} = 0 ] || fail "checks that never reported: ${absent[*]} (serial log: $log)"
say "passed: $(grep -c '^KTEST ok' "$log") checks"
