#!/usr/bin/env bash
# Solution-level generation against a plain build of the same solution, both with nothing changed (target: the
# generation takes at most 1.2x the plain build). testassets/repo: 2 applications, 3 libraries, 1 test project.
#
#   bash bench/solution.sh [runs]      (default 10; prints one line per round and the medians)
#
# Packs the SDK of this checkout under a version of its own, copies the asset twice under /tmp (one copy without
# MultiStage.Sdk), warms both up untimed, then times them in turns, in mirrored order every other round.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-10}"
work="$(mktemp -d /tmp/multistage-bench-solution.XXXXXX)"
version="0.0.0-bench.$(date -u +%Y%m%d%H%M%S)"
registry="${MULTISTAGE_BENCH_REGISTRY:-127.0.0.1:5000}"
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
trap 'rm -rf "$work" "$packages/multistage.sdk/$version"' EXIT

dotnet pack "$repo/sdk/MultiStage.Sdk.csproj" -c Release -o "$work/feed" "-p:Version=$version" -nologo -v:q >/dev/null
printf '<configuration>\n  <packageSources>\n    <add key="bench" value="%s" />\n  </packageSources>\n</configuration>\n' "$work/feed" > "$work/NuGet.config"

cp -r "$repo/testassets/repo" "$work/sdk"
printf '{\n  "msbuild-sdks": {\n    "MultiStage.Sdk": "%s"\n  }\n}\n' "$version" > "$work/sdk/global.json"
cp -r "$repo/testassets/repo" "$work/plain"
echo '<Project />' > "$work/plain/Directory.Build.targets"
rm "$work/plain/Directory.Solution.targets"

plain=(build Orders.slnx -nologo -nodeReuse:false)
generate=(build Orders.slnx -t:ContainerizeMultiStage -nologo -nodeReuse:false "-p:MultiStageBaseImageRegistry=$registry")
seconds() { local dir=$1; shift; local start end; start=$(date +%s.%N); (cd "$dir" && dotnet "$@" >"$work/last.log" 2>&1) || { cat "$work/last.log"; exit 1; }; end=$(date +%s.%N); echo "$end - $start" | bc; }

seconds "$work/plain" "${plain[@]}" >/dev/null
seconds "$work/sdk" "${generate[@]}" >/dev/null
p=(); g=()
for ((i = 1; i <= runs; i++)); do
  if ((i % 2)); then a=$(seconds "$work/plain" "${plain[@]}"); b=$(seconds "$work/sdk" "${generate[@]}");
  else b=$(seconds "$work/sdk" "${generate[@]}"); a=$(seconds "$work/plain" "${plain[@]}"); fi
  p+=("$a"); g+=("$b")
  printf 'round %d: dotnet build Orders.slnx %.2f s, dotnet build Orders.slnx -t:ContainerizeMultiStage %.2f s\n' "$i" "$a" "$b"
done
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
mp=$(median "${p[@]}"); mg=$(median "${g[@]}")
printf 'median of %d: plain build %.2f s, solution generation %.2f s, ratio %.2f (target <= 1.20); load average: %s\n' \
  "$runs" "$mp" "$mg" "$(echo "$mg / $mp" | bc -l)" "$(cut -d' ' -f1-3 /proc/loadavg)"
