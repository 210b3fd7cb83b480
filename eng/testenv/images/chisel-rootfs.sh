#!/bin/sh
# Assembles a shell-less root file system in OUT from the Debian image it runs in:
# the shared libraries of the .NET runtime dependencies (plus ICU and tzdata for
# "extra"), the CA bundle, os-release and passwd/group with the app user.
# Usage: chisel-rootfs.sh OUT minimal|extra
set -eu
out=$1
variant=$2
packages="libc6 libgcc-s1 libstdc++6 libssl3"
case $variant in
    minimal) ;;
    extra) packages="$packages libicu72" ;;
    *) echo "unknown variant: $variant" >&2; exit 2 ;;
esac

# Same merged-/usr layout as Debian, so library paths recorded by dpkg stay valid.
mkdir -p "$out/usr/lib/x86_64-linux-gnu" "$out/usr/lib64" "$out/usr/bin" \
    "$out/etc/ssl/certs" "$out/usr/lib/ssl" "$out/home/app" "$out/tmp"
ln -s usr/lib "$out/lib"
ln -s usr/lib64 "$out/lib64"
chmod 1777 "$out/tmp"

# Copies PATH (file or symlink) to the same canonical directory below OUT.
copy_entry() {
    dir=$(readlink -f "$(dirname "$1")")
    mkdir -p "$out$dir"
    cp -a "$dir/$(basename "$1")" "$out$dir/"
}

# Only the top-level shared objects of each package: no gconv, audit or engine modules.
# shellcheck disable=SC2086 # one argument per package
dpkg -L $packages \
    | grep -E '^(/usr)?/lib(64)?/(x86_64-linux-gnu/)?[^/]+\.so(\.[^/]*)?$' \
    | while read -r path; do
        if [ -e "$path" ] || [ -L "$path" ]; then copy_entry "$path"; fi
    done
test -e "$out/lib64/ld-linux-x86-64.so.2"
test -e "$out/usr/lib/x86_64-linux-gnu/libssl.so.3"

cp /etc/ssl/certs/ca-certificates.crt "$out/etc/ssl/certs/ca-certificates.crt"
# OpenSSL looks for the default trust store below its own directory.
ln -s /etc/ssl/certs/ca-certificates.crt "$out/usr/lib/ssl/cert.pem"
ln -s /etc/ssl/certs "$out/usr/lib/ssl/certs"

if [ "$variant" = extra ]; then
    mkdir -p "$out/usr/share"
    cp -a /usr/share/zoneinfo "$out/usr/share/zoneinfo"
fi

copy_entry /usr/lib/os-release
ln -s ../usr/lib/os-release "$out/etc/os-release"
cat > "$out/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/noshell
app:x:1654:1654::/home/app:/noshell
PASSWD
cat > "$out/etc/group" <<'GROUP'
root:x:0:
app:x:1654:
GROUP
cat > "$out/etc/nsswitch.conf" <<'NSS'
passwd: files
group: files
hosts: files dns
NSS
printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n' > "$out/etc/hosts"
chmod 0644 "$out/etc/passwd" "$out/etc/group" "$out/etc/nsswitch.conf" "$out/etc/hosts"
chown -R 1654:1654 "$out/home/app"
