#!/usr/bin/env bash
# Every benchmark of MultiStage.Sdk in one run on the same base images, and one report with every target:
# docs/benchmarks.md. Three parts (harness in bench/compare/, Program.cs orders them):
#   rebuild   cold builds and warm rebuilds against the sample Dockerfile and PublishContainer, generation only
#   fresh     a fresh CI runner with and without a registry cache, on console, webapi and multiproject
#   solution  testassets/repo's solution generation against a plain build of it (docs/benchmarks-repository.md)
# The whole run takes about an hour on a quiet 2-core machine, several times that under load.
#
#   bash bench/run.sh                                        # everything, into docs/benchmarks.md
#   bash bench/run.sh --parts fresh,solution --output /tmp/r.md   # a part or two
#   bash bench/run.sh --assets console --runs 1 --fresh-runs 1 --solution-runs 1 --output /tmp/smoke.md
#   bash bench/run.sh --help
#
# One run at a time on the machine, from whichever worktree: a second one waits, naming the worktree, pid and start
# of the run it waits for.
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
