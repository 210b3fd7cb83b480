#!/usr/bin/env bash
# Benchmarks MultiStage.Sdk against the hand-written sample Dockerfile and PublishContainer over the test assets,
# in one run on the same base images, and writes docs/benchmarks.md (see that file for what is measured).
#
#   bash bench/run.sh [--assets console,multiproject] [--runs 7] [--cold-runs 1] [--gen-runs 30] [--keep]
#   bash bench/run.sh --help
#
# As root on Debian 12 (like eng/testenv/up.sh, which this runs first: Docker engine, local registry on
# 127.0.0.1:5000 and the stand-in .NET images). MULTISTAGE_BENCH_SKIP_TESTENV=1 skips that step.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command_line="bash bench/run.sh${*:+ $*}"

for arg in "$@"; do
  if [[ $arg == -h || $arg == --help ]]; then
    exec dotnet run --project "$repo/bench/compare/MultiStage.Bench.Compare.csproj" -c Release -v:q -- --help
  fi
done

if [[ ${MULTISTAGE_BENCH_SKIP_TESTENV:-0} != 1 ]]; then
  bash "$repo/eng/testenv/up.sh"
fi

# (c) compiles Native AOT on the host: that needs clang and zlib headers there.
if ! command -v clang >/dev/null || ! dpkg-query -W -f='${db:Status-Status}' zlib1g-dev 2>/dev/null | grep -qx installed; then
  echo "[bench] installing clang and zlib1g-dev for Native AOT publishing on the host"
  apt-get install -y --no-install-recommends clang zlib1g-dev >/dev/null
fi

# flock (util-linux) guards the base image snapshot against a concurrent test environment rebuild.
command -v flock >/dev/null || { echo "[bench] flock (util-linux) is required" >&2; exit 1; }

dotnet build "$repo/bench/MultiStage.Bench.sln" -c Release -nologo -v:q
exec dotnet "$repo/artifacts/bin/MultiStage.Bench.Compare/release/MultiStage.Bench.Compare.dll" \
  --repo "$repo" --command "$command_line" "$@"
