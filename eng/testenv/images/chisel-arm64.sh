#!/bin/sh
# Assembles, on the host and without running anything arm64, the root file system of
# the arm64 chiseled image: the arch-independent
# files of the amd64 chiseled root file system in BASE (CA bundle, os-release,
# passwd/group, zoneinfo for "extra"), minus its libraries, plus the top-level shared
# objects of the arm64 Debian packages unpacked from DEBS (no maintainer scripts run).
# Usage: chisel-arm64.sh BASE DEBS OUT minimal|extra
set -eu
base=$1
debs=$2
out=$3
variant=$4
triplet=aarch64-linux-gnu
packages="libc6 libgcc-s1 libstdc++6 libssl3"
case $variant in
    minimal) ;;
    extra) packages="$packages libicu72" ;;
    *) echo "unknown variant: $variant" >&2; exit 2 ;;
esac

rm -rf "$out"
mkdir -p "$out"
cp -a "$base/." "$out/"
rm -rf "$out/usr/lib/x86_64-linux-gnu" "$out/usr/lib64" "$out/lib64"
mkdir -p "$out/usr/lib/$triplet"

unpacked=$(mktemp -d)
trap 'rm -rf "$unpacked"' EXIT
for package in $packages; do
    # shellcheck disable=SC2086 # one file per package and architecture
    set -- "$debs"/${package}_*_arm64.deb
    [ -f "$1" ] || { echo "chisel-arm64: no $package package in $debs" >&2; exit 1; }
    dpkg-deb -x "$1" "$unpacked"
done

# Only the top-level shared objects, as for amd64 (no gconv, audit or engine modules),
# moved into the merged /usr the image has (lib is a link to usr/lib).
(cd "$unpacked" && find lib usr/lib -maxdepth 2 \( -type f -o -type l \) 2>/dev/null) \
    | grep -E "^(usr/)?lib/($triplet/)?[^/]+\.so(\.[^/]*)?$" \
    | while read -r path; do
        target=$out/usr/${path#usr/}
        mkdir -p "$(dirname "$target")"
        cp -a "$unpacked/$path" "$target"
    done

loader=$(readlink "$out/usr/lib/ld-linux-aarch64.so.1" 2>/dev/null || true)
test -n "$loader" && test -f "$out/usr/lib/$loader"
test -e "$out/usr/lib/$triplet/libssl.so.3"
# The ELF machine of libc must be arm64's (EM_AARCH64 = 183), never the host's.
machine=$(od -An -tu2 -j18 -N2 "$out/usr/lib/$triplet/libc.so.6" | tr -d ' ')
test "$machine" = 183
if [ "$variant" = extra ]; then
    test -e "$out/usr/lib/$triplet/libicuuc.so.72"
    test -d "$out/usr/share/zoneinfo"
fi
