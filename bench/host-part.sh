#!/usr/bin/env bash
# The host's part of the image-build command, before/after: packs MultiStage.Sdk from each given commit, then runs
#   dotnet build --no-restore -t:ContainerizeMultiStage -p:MultiStageBuildImage=true …
# on a copy of the asset per commit, the commits taking turns (order mirrored every other round), and prints wall,
# user and system seconds of the whole dotnet process tree (/usr/bin/time) and the engine client's "in the engine"
# time. Read by docs/benchmarks-host.md.
#
#   bash bench/host-part.sh [--asset console] [--runs 5] [--mode fresh|warm] [--engine cached|nocache] [--binlog] \
#        [--steps whole,generate,evaluate,plain] LABEL=COMMIT [LABEL=COMMIT …]
#
# Steps, to split the command by difference: whole (the command above), generate (the same without
# MultiStageBuildImage: no engine client), evaluate (`dotnet msbuild -t:GetTargetPath`: start-up, SDK resolution and
# evaluation), plain (the same on a copy without the <Sdk Name="MultiStage.Sdk" /> line: MSBuild's own floor).
#
# fresh: no bin/obj and an empty NuGet folder before every run, as on a CI runner (the SDK resolver restores
# MultiStage.Sdk from the feed each time). warm: both kept (a first, unreported run fills them).
# cached: the engine finds every step in its build cache (the host's part stands alone); nocache: the engine builds
# the image from scratch (MultiStageNoCache), so the client's CPU during a real build is counted too.
# Images are tagged hostpart-bench/<asset>-<label>:<stamp> and removed at the end. No prune, no lock: a smoke run.
set -euo pipefail
repo=${HOST_PART_REPO:-"$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"}
asset=console runs=5 mode=fresh engine=cached binlog=0 steps=whole labels=()
while (($#)); do
  case $1 in
    --asset) asset=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --mode) mode=$2; shift 2 ;;
    --engine) engine=$2; shift 2 ;;
    --binlog) binlog=1; shift ;;
    --steps) steps=$2; shift 2 ;;
    *=*) labels+=("$1"); shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
((${#labels[@]})) || { echo "give at least one LABEL=COMMIT" >&2; exit 2; }

stamp=$(date -u +%Y%m%dt%H%M%S)
root=${HOST_PART_WORK:-/tmp/multistage-host-part}
work=$root/$stamp
# Packages by commit, kept between runs: a commit packs once.
mkdir -p "$root/feed" "$work/logs"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 DOTNET_CLI_UI_LANGUAGE=en MSBUILDDISABLENODEREUSE=1

declare -A version dir
for pair in "${labels[@]}"; do
  label=${pair%%=*} commit=${pair#*=}
  sha=$(git -C "$repo" rev-parse --short=12 "$commit")
  version[$label]=0.0.0-host.$sha
  if [[ ! -f $root/feed/MultiStage.Sdk.${version[$label]}.nupkg ]]; then
    src=$work/src-$label
    mkdir -p "$src"
    git -C "$repo" archive "$sha" | tar -x -C "$src"
    echo "[host-part] packing $label ($commit) as ${version[$label]}"
    dotnet pack "$src/sdk/MultiStage.Sdk.csproj" -c Release -o "$root/feed" -p:Version="${version[$label]}" -nologo -v:q >"$work/logs/pack-$label.log" 2>&1
    rm -rf "$src"
  fi
  dir[$label]=$work/$label/$asset
  mkdir -p "${dir[$label]}"
  (cd "$repo/testassets/$asset" && tar --exclude=bin --exclude=obj -cf - .) | tar -x -C "${dir[$label]}"
  grep -rl --include='*.csproj' --include='*.props' --include='*.targets' '<Sdk Name="MultiStage.Sdk"' "${dir[$label]}" |
    xargs sed -i "s|<Sdk Name=\"MultiStage.Sdk\"|<Sdk Name=\"MultiStage.Sdk\" Version=\"${version[$label]}\"|"
  mkdir -p "$work/plain/$asset"
  (cd "$repo/testassets/$asset" && tar --exclude=bin --exclude=obj -cf - .) | tar -x -C "$work/plain/$asset"
  grep -rl --include='*.csproj' --include='*.props' --include='*.targets' '<Sdk Name="MultiStage.Sdk"' "$work/plain/$asset" |
    xargs sed -i '/<Sdk Name="MultiStage.Sdk"/d'
done
cat >"$work/NuGet.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="multistage-host-part" value="$root/feed" />
  </packageSources>
</configuration>
EOF

project_dir() { local d=$1; [[ $asset == multiproject ]] && d=$d/src/App; echo "$d"; }
run_once() { # label step round -> "wall user sys engine"
  local label=$1 step=$2 round=$3 copy d nuget out
  copy=${dir[$label]}
  [[ $step == plain ]] && copy=$work/plain/$asset
  d=$(project_dir "$copy")
  nuget=$work/nuget-$label-$step
  if [[ $mode == fresh ]]; then
    find "$copy" -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} +
    rm -rf "$nuget"
  fi
  out=$work/logs/$label-$step-$round.log
  local args=(build --no-restore -t:ContainerizeMultiStage -nologo -p:MultiStageBuildNetwork=host
    -p:MultiStageBaseImageRegistry=127.0.0.1:5000 -p:ContainerBaseImage=127.0.0.1:5000/dotnet/runtime:10.0-noble-chiseled
    "-p:ContainerRepository=hostpart-bench/$asset-$label" "-p:ContainerImageTags=$stamp")
  case $step in
    whole) args+=(-p:MultiStageBuildImage=true); [[ $engine == nocache ]] && args+=(-p:MultiStageNoCache=true) ;;
    generate) ;;
    evaluate | plain) args=(msbuild -t:GetTargetPath -nologo) ;;
  esac
  ((binlog)) && args+=("-bl:$work/logs/$label-$step-$round.binlog")
  (cd "$d" && NUGET_PACKAGES=$nuget/packages NUGET_HTTP_CACHE_PATH=$nuget/http-cache \
    /usr/bin/time -f 'TIME %e %U %S' -o "$out.time" dotnet "${args[@]}" >"$out" 2>&1) || { echo "[host-part] $label failed: $out" >&2; tail -20 "$out" >&2; exit 1; }
  local t e
  t=$(sed -n 's/^TIME //p' "$out.time")
  e=$(sed -n 's/.*Built image .* in \([0-9.]*\)s *$/\1/p' "$out" | tail -1)
  echo "$t ${e:--}"
}

IFS=, read -ra step_list <<<"$steps"
turns=()
for pair in "${labels[@]}"; do for step in "${step_list[@]}"; do turns+=("${pair%%=*}:$step"); done; done

# A first run of each: fills the engine's cache (cached) and, when warm, bin/obj and the NuGet folder.
for turn in "${turns[@]}"; do run_once "${turn%%:*}" "${turn#*:}" 0 >/dev/null; done

echo "[host-part] $asset, $mode host, engine $engine, $runs rounds; load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-20s %5s %7s %7s %7s %7s %7s\n' turn round wall user sys cpu engine | tee "$work/results.txt"
for ((round = 1; round <= runs; round++)); do
  order=("${turns[@]}")
  if ((round % 2 == 0)); then for ((i = ${#turns[@]} - 1, j = 0; i >= 0; i--, j++)); do order[j]=${turns[i]}; done; fi
  for turn in "${order[@]}"; do
    read -r wall user sys eng < <(run_once "${turn%%:*}" "${turn#*:}" "$round")
    printf '%-20s %5d %7.2f %7.2f %7.2f %7.2f %7s\n' "$turn" "$round" "$wall" "$user" "$sys" "$(echo "$user + $sys" | bc)" "$eng" | tee -a "$work/results.txt"
  done
done
echo "[host-part] load at end: $(cut -d' ' -f1-3 /proc/loadavg)"

# Medians per turn.
for turn in "${turns[@]}"; do
  for col in 3 4 5 6; do
    awk -v l="$turn" -v c=$col '$1 == l { print $c }' "$work/results.txt" | sort -n | awk '{ a[NR] = $1 } END { printf "%s ", (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'
  done | awk -v l="$turn" '{ printf "[host-part] median %-20s wall %s s, user %s s, sys %s s, cpu %s s\n", l, $1, $2, $3, $4 }'
done
for pair in "${labels[@]}"; do docker image rm "hostpart-bench/$asset-${pair%%=*}:$stamp" >/dev/null 2>&1 || true; done
echo "[host-part] logs: $work/logs"
