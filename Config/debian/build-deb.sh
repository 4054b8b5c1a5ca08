#!/bin/sh
# Builds kinglet_<version>_<arch>.deb with dpkg-deb from a built binary (`make deb` passes the
# stripped, static release binary): the binary, the shipped profiles, the example config as a
# conffile, the systemd unit, the docs and the maintainer scripts beside this file.
# usage: Config/debian/build-deb.sh BINARY OUTDIR      (prints the package's path)
set -eu
binary=$1
out=$2
repo=$(cd "$(dirname "$0")/../.." && pwd)
version=$(sed -n 's/.*static let string = "\(.*\)"$/\1/p' "$repo/Sources/Support/Version.swift")
arch=$(dpkg --print-architecture)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage="$work/kinglet"

install -D -m 755 "$binary" "$stage/usr/bin/kinglet"
install -d -m 755 "$stage/usr/share/kinglet/devices"
install -m 644 "$repo"/Devices/*.toml "$stage/usr/share/kinglet/devices/"
install -D -m 644 "$repo/Config/kinglet.service" "$stage/lib/systemd/system/kinglet.service"
install -D -m 640 "$repo/Config/kinglet.example.toml" "$stage/etc/kinglet/kinglet.toml"
install -D -m 644 "$repo/README.md" "$stage/usr/share/doc/kinglet/README.md"
install -m 644 "$repo/Devices/README.md" "$stage/usr/share/doc/kinglet/profiles.md"
# The release binary carries these libraries (linked statically: Package.swift, cLibraries, and the
# Makefile's RELEASE_LINK): their copyright and licence notices, as Debian ships them.
for package in libxml2 libmbedtls14 libsqlite3-0 zlib1g liblzma5 libstdc++6; do
    install -D -m 644 "/usr/share/doc/$package/copyright" "$stage/usr/share/doc/kinglet/copyright.d/$package"
done
install -d -m 755 "$stage/DEBIAN"
install -m 755 "$repo/Config/debian/postinst" "$repo/Config/debian/prerm" "$repo/Config/debian/postrm" "$stage/DEBIAN/"
echo /etc/kinglet/kinglet.toml > "$stage/DEBIAN/conffiles"

# The shared libraries the binary links, as package dependencies (libc6, libxml2, libmbedtls14,
# libsqlite3-0, ...). Libraries from no package (a debug build's Swift runtime) are left out.
mkdir "$work/debian"
printf 'Source: kinglet\n\nPackage: kinglet\nArchitecture: any\n' > "$work/debian/control"
depends=$(cd "$work" && dpkg-shlibdeps -O --ignore-missing-info -e "$stage/usr/bin/kinglet" 2>/dev/null \
    | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "build-deb.sh: dpkg-shlibdeps found no dependencies for $binary" >&2; exit 1; }
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@DEPENDS@/$depends/" "$repo/Config/debian/control" \
    > "$stage/DEBIAN/control"
echo "Installed-Size: $(du -sk --exclude=DEBIAN "$stage" | cut -f1)" >> "$stage/DEBIAN/control"

mkdir -p "$out"
package="$out/kinglet_${version}_${arch}.deb"
# xz for what ships; DEB_COMPRESSION=none for the test, which only installs it (xz takes ~20 s here).
dpkg-deb --root-owner-group "-Z${DEB_COMPRESSION:-xz}" --build "$stage" "$package" >/dev/null
echo "$package"
