#!/usr/bin/env bash
# Context bytes and time of Engine API builds: the context as a tar archive (engines without BuildKit sessions, and
# every BuildKit build before the session file sync) against the session's file sync, for copies of testassets
# (console, webapi, multiproject, each with its generated .dockerignore) and a console folder holding a big random
# file, not excluded and excluded. Each case: a first build, then a rebuild after a one-line edit of a .cs file.
# The Dockerfile is "FROM <base>" + "COPY . /src/": it measures the context transfer, not a .NET build.
#
#   bash bench/engine/context-bytes.sh [--big MiB] [--base IMAGE]
#
# Prints a markdown table (the rows of docs/benchmarks.md's "Build context transfer"). Needs the test environment
# (eng/testenv/up.sh). Removes the images it tags.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
big=256
base=127.0.0.1:5000/dotnet/runtime-deps:10.0
while (($#)); do
    case $1 in
        --big) big=$2; shift 2 ;;
        --base) base=$2; shift 2 ;;
        -h|--help) sed -n '2,12p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
out=$(mktemp -d /tmp/multistage-context-bytes-build.XXXXXX)
trap 'rm -rf "$out"' EXIT
MSBUILDDISABLENODEREUSE=1 dotnet build "$repo/bench/engine/ContextBytes/ContextBytes.csproj" -c Release -nologo -v:q -nodeReuse:false -o "$out" >&2
echo "Measured on $(date -u '+%Y-%m-%d %H:%M UTC'), Docker $(docker version --format '{{.Server.Version}}' 2>/dev/null), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)."
echo
dotnet "$out/ContextBytes.dll" "$repo" "$base" "$big"
