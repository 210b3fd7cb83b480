#!/bin/sh
# Copies parts of /usr/share/dotnet into OUT and adds every shared library that their
# ELF files need (per ldd) but that the chiseled root file system CHISELED lacks.
# Usage: chisel-dotnet.sh CHISELED OUT PATH... (PATHs relative to /usr/share/dotnet)
set -eu
chiseled=$1
out=$2
shift 2
dotnet_root=/usr/share/dotnet

for path in "$@"; do
    parent=$(dirname "$path")
    mkdir -p "$out$dotnet_root/$parent"
    cp -a "$dotnet_root/$path" "$out$dotnet_root/$parent/"
    if [ "$path" = dotnet ]; then
        mkdir -p "$out/usr/bin"
        ln -s "$dotnet_root/dotnet" "$out/usr/bin/dotnet"
    fi
done

copy_lib() {
    real=$(readlink -f "$1")
    mkdir -p "$out$(dirname "$real")"
    cp -a "$real" "$out$real"
    dir=$(readlink -f "$(dirname "$1")")
    if [ "$dir/$(basename "$1")" != "$real" ]; then
        mkdir -p "$out$dir"
        cp -a "$dir/$(basename "$1")" "$out$dir/"
    fi
    echo "chisel-dotnet: added $1"
}

missing=0
find "$out$dotnet_root" -type f \( -name dotnet -o -name '*.so' \) > /tmp/elf-files
while read -r elf; do
    # "name => path (addr)", "/path (addr)" or "name => not found".
    ldd "$elf" | while read -r first arrow second rest; do
        if [ "$arrow" = "=>" ]; then lib=$second; else lib=$first; fi
        case $lib in
            not)
                # The LTTng trace provider is optional and loads only when LTTng exists.
                case $elf in */libcoreclrtraceptprovider.so) continue ;; esac
                echo "chisel-dotnet: $elf needs $first, which is missing" >&2
                exit 1 ;;
            /*) ;;
            *) continue ;;
        esac
        # Libraries of the .NET install itself (found through $ORIGIN) are copied already.
        case $lib in "$dotnet_root"/* | "$out$dotnet_root"/*) continue ;; esac
        if [ ! -e "$chiseled$lib" ] && [ ! -e "$out$lib" ]; then copy_lib "$lib"; fi
    done || missing=1
done < /tmp/elf-files
[ "$missing" = 0 ]
