#!/usr/bin/env bash
# Engine API build (the MSBuild task users run) against `docker build` of the same generated Dockerfile by the
# docker CLI with BuildKit, in one run on the same engine, images and build cache:
#   1. end-to-end time, median of N runs: warm (nothing changed) and after a one-line source edit (cold: --cold);
#   2. bytes each client sends to the engine, counted by a proxy on the engine socket (CountingProxy/);
#   3. peak RSS of the MSBuild process while it sends a context that grows 10 MiB -> 100 MiB -> 1 GiB.
# Writes docs/benchmarks-engine.md (or --doc FILE) and prints the same tables.
#
#   bash bench/engine/run.sh [--runs N] [--cold] [--sizes "10 100 1024"] [--rev REV] [--doc FILE]
#
#   --runs N     runs per case (default 3; BENCH_RUNS also sets it)
#   --cold       also time cold builds: `docker builder prune -af` before each (slows every other build on the engine)
#   --sizes      MiB of random data added to the context for the memory runs
#   --rev REV    pack the SDK from a committed revision (git archive) instead of the working tree
#   --doc FILE   where the markdown goes (default docs/benchmarks-engine.md; "-" prints only)
#
# Needs root on Debian with the test environment (eng/testenv/up.sh, started here when it is not answering).
# Removes the images it tags and the untagged ones its builds leave; never prunes anything else.
set -euo pipefail

readonly REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
readonly HERE=$REPO/bench/engine
readonly DOCKER=/usr/bin/docker
readonly ASSET=console

runs=${BENCH_RUNS:-3}
cold=0
sizes="10 100 1024"
rev=""
doc=$REPO/docs/benchmarks-engine.md
invocation="bash bench/engine/run.sh${*:+ $*}"
while (($#)); do
    case $1 in
        --runs) runs=$2; shift 2 ;;
        --cold) cold=1; shift ;;
        --sizes) sizes=$2; shift 2 ;;
        --rev) rev=$2; shift 2 ;;
        --doc) doc=$2; shift 2 ;;
        -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "--runs takes a positive number" >&2; exit 2; }
for s in $sizes; do [[ $s =~ ^[1-9][0-9]*$ ]] || { echo "--sizes takes MiB numbers" >&2; exit 2; }; done
[[ $doc == - || $doc == /* ]] || doc=$PWD/$doc

say() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }
started=$SECONDS

# ---------------------------------------------------------------------------------------------------------------
# Prerequisites
# ---------------------------------------------------------------------------------------------------------------
[[ $(id -u) == 0 ]] || die "must run as root (the test environment and the engine socket need it)"
command -v dotnet >/dev/null || die "dotnet is not on PATH"
if [[ ! -x /usr/bin/time ]]; then
    say "installing GNU time"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
fi
registry=${MULTISTAGE_BASE_IMAGE_REGISTRY:-127.0.0.1:5000}
if ! "$DOCKER" version >/dev/null 2>&1 || ! curl -fsS "http://$registry/v2/dotnet/sdk/tags/list" 2>/dev/null | grep -q '"10.0"'; then
    say "engine or stand-in images missing: starting the test environment"
    bash "$REPO/eng/testenv/up.sh" >&2
fi
engine_socket=/var/run/docker.sock
[[ ${DOCKER_HOST:-} == unix://* ]] && engine_socket=${DOCKER_HOST#unix://}
[[ -S $engine_socket ]] || die "no engine socket at $engine_socket"

nonce=$(date -u +%Y%m%d%H%M%S)-$$
work=$(mktemp -d /tmp/multistage-bench-engine.XXXXXX)
repository=multistage-bench/$ASSET-$nonce
proxy_pid=""
cleanup() {
    local status=$?
    set +e
    if [[ -n $proxy_pid ]]; then
        kill "$proxy_pid" 2>/dev/null
        wait "$proxy_pid" 2>/dev/null
    fi
    # The engine may be restarting (a failed run's cause): give it a minute to answer before removing our images.
    for _ in $(seq 1 30); do "$DOCKER" version >/dev/null 2>&1 && break; sleep 2; done
    # Our tags first; then the images our builds left untagged (an image someone else still tags is kept).
    "$DOCKER" rmi "$repository:api" "$repository:cli" >/dev/null 2>&1 || true
    if [[ -f $work/image-ids ]]; then
        sort -u "$work/image-ids" | while read -r id; do
            [[ $("$DOCKER" image inspect -f '{{len .RepoTags}}' "$id" 2>/dev/null) == 0 ]] && "$DOCKER" rmi "$id" >/dev/null 2>&1
        done
    fi
    if [[ $status != 0 && -d $work ]]; then
        say "logs kept in $work/logs"
        find "$work" -mindepth 1 -maxdepth 1 ! -name logs -exec rm -rf {} +
    else
        rm -rf "$work"
    fi
    exit "$status"
}
trap cleanup EXIT
mkdir -p "$work/logs"
log=$work/logs

machine_load() { cut -d' ' -f1-3 /proc/loadavg; }
load_start=$(machine_load)

# ---------------------------------------------------------------------------------------------------------------
# SDK package, counting proxy, project
# ---------------------------------------------------------------------------------------------------------------
version=0.0.0-bench.$nonce
source_root=$REPO
if [[ -n $rev ]]; then
    source_root=$work/src
    mkdir -p "$source_root"
    git -C "$REPO" archive "$rev" | tar -x -C "$source_root"
    sdk_source="commit $(git -C "$REPO" rev-parse --short=12 "$rev^{commit}")"
else
    sdk_source="working tree at $(git -C "$REPO" rev-parse --short=12 HEAD)"
    git -C "$REPO" diff --quiet HEAD -- src sdk 2>/dev/null || sdk_source+=" with uncommitted changes in src/ or sdk/"
fi
say "packing MultiStage.Sdk $version from the $sdk_source"
dotnet pack "$source_root/sdk/MultiStage.Sdk.csproj" -c Release -o "$work/feed" -p:Version="$version" -nologo \
    >"$log/pack.log" 2>&1 || { tail -n 30 "$log/pack.log" >&2; die "pack failed"; }
export NUGET_PACKAGES=$work/nuget-packages

say "building the counting proxy"
dotnet build "$HERE/CountingProxy/CountingProxy.csproj" -c Release -o "$work/proxy" -p:ArtifactsPath="$work/proxy-artifacts" -nologo \
    >"$log/proxy-build.log" 2>&1 || { tail -n 30 "$log/proxy-build.log" >&2; die "proxy build failed"; }
proxy_socket=$work/engine.sock
stats=$work/proxy-stats
dotnet "$work/proxy/CountingProxy.dll" "$proxy_socket" "$engine_socket" "$stats" >"$log/proxy.log" 2>&1 &
proxy_pid=$!
for _ in $(seq 1 100); do [[ -S $proxy_socket && -f $stats ]] && break; sleep 0.1; done
[[ -S $proxy_socket ]] || die "the counting proxy did not start (see $log/proxy.log)"

project=$work/$ASSET
cp -r "$REPO/testassets/$ASSET" "$project"
find "$project" -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} +
# The version on the <Sdk> element, as the README shows: a global.json would cost every dotnet command time
# the docker CLI side does not pay.
sed -i "s|<Sdk Name=\"MultiStage.Sdk\" />|<Sdk Name=\"MultiStage.Sdk\" Version=\"$version\" />|" "$project"/*.csproj
grep -q "<Sdk Name=\"MultiStage.Sdk\" Version=\"$version\" />" "$project"/*.csproj || die "no <Sdk Name=\"MultiStage.Sdk\" /> element in $ASSET to put the version on"
cat >"$work/NuGet.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="multistage-bench" value="$work/feed" />
  </packageSources>
</configuration>
XML
cp "$project/Program.cs" "$work/Program.cs.orig"

# ---------------------------------------------------------------------------------------------------------------
# The two commands, each through the proxy
# ---------------------------------------------------------------------------------------------------------------
ours_args=(build -t:ContainerizeMultiStage "-p:MultiStageBaseImageRegistry=$registry" -p:MultiStageBuildImage=true
    -p:MultiStageBuildNetwork=host "-p:ContainerRepository=$repository" -p:ContainerImageTags=api
    "-p:MultiStageDockerHost=unix://$proxy_socket")
cli_args=(build --network host -t "$repository:cli" .)
generate_args=(build -t:ContainerizeMultiStage "-p:MultiStageBaseImageRegistry=$registry")

# Proxy totals "up down" once every connection of the finished command has closed.
proxy_totals() {
    local line previous="" i
    for i in $(seq 1 100); do
        line=$(cat "$stats")
        if [[ $line == *" open=0" && $line == "$previous" ]]; then
            sed -E 's/up=([0-9]+) down=([0-9]+).*/\1 \2/' <<<"$line"
            return
        fi
        previous=$line
        sleep 0.1
    done
    die "connections through the proxy stayed open: $line"
}

# run_measured NAME COMMAND...: runs in the project folder; sets elapsed (s) and sent (bytes client -> engine).
elapsed=0 sent=0
run_measured() {
    local name=$1 before after t0 t1
    shift
    before=$(proxy_totals) || exit 1
    t0=$EPOCHREALTIME
    if ! (cd "$project" && "$@") >"$log/$name.log" 2>&1; then
        tail -n 40 "$log/$name.log" >&2
        die "$name failed (log: $log/$name.log)"
    fi
    t1=$EPOCHREALTIME
    after=$(proxy_totals) || exit 1
    elapsed=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
    sent=$((${after%% *} - ${before%% *}))
}

dockerfile_hash=""
check_dockerfile() {
    local now
    now=$(sha256sum "$project/Dockerfile" | cut -c1-64)
    [[ -z $dockerfile_hash ]] && dockerfile_hash=$now
    [[ $now == "$dockerfile_hash" ]] || die "the generated Dockerfile changed between runs: the CLI would not build the same file"
}

# Also sets task: the seconds the BuildImage task reports for its engine build ("Built image ... in 1.7s").
task=0
ours() {
    run_measured "$1" dotnet "${ours_args[@]}"
    task=$(grep -oE 'Built image .* in [0-9.]+s' "$log/$1.log" | tail -n 1 | sed -E 's/.* in ([0-9.]+)s$/\1/')
    [[ -n $task ]] || die "$1: no image was built through the Engine API (log: $log/$1.log)"
    check_dockerfile
    "$DOCKER" image inspect -f '{{.Id}}' "$repository:api" >>"$work/image-ids"
}
cli() {
    run_measured "$1" env DOCKER_BUILDKIT=1 "DOCKER_HOST=unix://$proxy_socket" "$DOCKER" "${cli_args[@]}"
    "$DOCKER" image inspect -f '{{.Id}}' "$repository:cli" >>"$work/image-ids"
}
# Replaces the previous benchmark line at the end of Program.cs: a one-line change no earlier build has seen.
edit_source() {
    { cat "$work/Program.cs.orig"; printf '// benchmark edit %s\n' "$1-$nonce"; } >"$project/Program.cs"
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
range() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo "–" hi }'; }
bytes() { awk -v b="$1" 'BEGIN { split("B KiB MiB GiB", u); i = 1; while (b >= 1024 && i < 4) { b /= 1024; i++ } printf (i == 1 ? "%d %s" : "%.1f %s"), b, u[i] }'; }

# ---------------------------------------------------------------------------------------------------------------
# 1 + 2: time and bytes
# ---------------------------------------------------------------------------------------------------------------
say "priming: one untimed build with each (restore layer, base images)"
ours prime-ours
cli prime-cli

declare -a warm_ours warm_cli warm_gen edit_ours edit_cli cold_ours cold_cli warm_task edit_task cold_task
declare -a warm_ours_b warm_cli_b edit_ours_b edit_cli_b cold_ours_b cold_cli_b
for i in $(seq 1 "$runs"); do
    say "warm run $i/$runs"
    # Alternate who goes first so that load left by one does not always fall on the other.
    if ((i % 2)); then
        ours "warm-ours-$i"; warm_ours+=("$elapsed"); warm_ours_b+=("$sent"); warm_task+=("$task")
        cli "warm-cli-$i"; warm_cli+=("$elapsed"); warm_cli_b+=("$sent")
    else
        cli "warm-cli-$i"; warm_cli+=("$elapsed"); warm_cli_b+=("$sent")
        ours "warm-ours-$i"; warm_ours+=("$elapsed"); warm_ours_b+=("$sent"); warm_task+=("$task")
    fi
    run_measured "generate-$i" dotnet "${generate_args[@]}"; warm_gen+=("$elapsed")
    check_dockerfile
done

for i in $(seq 1 "$runs"); do
    say "one-line edit run $i/$runs"
    edit_source "ours-$i"; ours "edit-ours-$i"; edit_ours+=("$elapsed"); edit_ours_b+=("$sent"); edit_task+=("$task")
    edit_source "cli-$i"; cli "edit-cli-$i"; edit_cli+=("$elapsed"); edit_cli_b+=("$sent")
done

if ((cold)); then
    for i in $(seq 1 "$runs"); do
        say "cold run $i/$runs"
        "$DOCKER" builder prune -af >/dev/null
        ours "cold-ours-$i"; cold_ours+=("$elapsed"); cold_ours_b+=("$sent"); cold_task+=("$task")
        "$DOCKER" builder prune -af >/dev/null
        cli "cold-cli-$i"; cold_cli+=("$elapsed"); cold_cli_b+=("$sent")
    done
fi
cp "$work/Program.cs.orig" "$project/Program.cs"

# ---------------------------------------------------------------------------------------------------------------
# 3: peak memory of the MSBuild process against the context size
# ---------------------------------------------------------------------------------------------------------------
context_bytes() { du -sb --exclude=bin --exclude=obj "$project" | cut -f1; }
declare -a mem_size mem_rss mem_sent mem_time mem_nodes
mkdir -p "$project/data"
for mb in $sizes; do
    say "memory run: $mb MiB of random data in the context"
    rm -f "$project/data/"*
    head -c "$((mb * 1024 * 1024))" /dev/urandom >"$project/data/random-$mb.bin"
    name=memory-$mb
    run_measured "$name" /usr/bin/time -v -o "$log/$name.time" dotnet "${ours_args[@]}" -m:1 -nodeReuse:false -v:d
    grep -q "Built image" "$log/$name.log" || die "$name: no image was built (log: $log/$name.log)"
    "$DOCKER" image inspect -f '{{.Id}}' "$repository:api" >>"$work/image-ids"
    mem_size+=("$mb")
    mem_rss+=("$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$log/$name.time")")
    mem_sent+=("$sent")
    mem_time+=("$elapsed")
    # MSBuild names the node of every project it builds; 1 is the in-process node.
    mem_nodes+=("$(grep -oE 'on node [0-9]+' "$log/$name.log" | sort -u | awk '{ print $3 }' | paste -sd, -)")
done
rm -rf "$project/data"

# ---------------------------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------------------------
load_end=$(machine_load)
load_note=""
if awk -v a="${load_start%% *}" -v b="${load_end%% *}" -v n="$(nproc)" 'BEGIN { exit !(a > n || b > n) }'; then
    load_note="The 1-minute load average exceeded the $(nproc) CPUs: other work shared the machine during the run, so the times are noisy (see the ranges); compare the columns of one row, which ran interleaved, rather than rows of different runs."
fi
total=$((SECONDS - started))
mem_first=${mem_rss[0]}
mem_last=${mem_rss[${#mem_rss[@]} - 1]}
ratio=$(awk -v a="$mem_last" -v b="$mem_first" 'BEGIN { printf "%.2f", a / b }')
growth=$(awk -v a="$mem_last" -v b="$mem_first" 'BEGIN { printf "%+.0f", (a - b) / 1024 }')
largest_sent=${mem_sent[${#mem_sent[@]} - 1]}
largest_data=$((${mem_size[${#mem_size[@]} - 1]} * 1024 * 1024))
if awk -v r="$ratio" 'BEGIN { exit !(r <= 1.25) }'; then
    verdict="flat: the largest context costs ${ratio}× the smallest's peak RSS (${growth} MiB) while ${#mem_size[@]} sizes up to $(bytes "$largest_data") of data are sent"
else
    verdict="NOT flat: the largest context costs ${ratio}× the smallest's peak RSS (${growth} MiB); the upload holds memory in proportion to the context"
fi
single_node=yes
for n in "${mem_nodes[@]}"; do [[ $n == 1 ]] || single_node="no (nodes seen: ${mem_nodes[*]})"; done

# row_time CASE OURS... TASK... CLI... (runs values each)
row_time() {
    local cells="" k
    for k in 0 1 2; do
        cells+=" $(median "${@:$((k * runs + 2)):$runs}") s ($(range "${@:$((k * runs + 2)):$runs}")) |"
    done
    printf '| %s |%s\n' "$1" "$cells"
}
row_bytes() { local a b; a=$(median "${@:2:$runs}"); b=$(median "${@:$((runs + 2)):$runs}")
    printf '| %s | %s (%s B) | %s (%s B) |\n' "$1" "$(bytes "$a")" "$a" "$(bytes "$b")" "$b"; }

ours_cmd="dotnet ${ours_args[*]}"
ours_cmd=${ours_cmd//"$work"/\$WORK}
cli_cmd="DOCKER_BUILDKIT=1 DOCKER_HOST=unix://\$WORK/engine.sock $DOCKER ${cli_args[*]}"
gen_cmd="dotnet ${generate_args[*]}"

report=$(
cat <<EOF
# Engine API build against \`docker build\`

Measured by \`$invocation\` on $(date -u '+%Y-%m-%d %H:%M UTC'); every figure below comes from that one run.

| Machine | |
|---|---|
| CPUs (nproc) | $(nproc) |
| Memory | $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) |
| Kernel | $(uname -r) |
| Docker engine / CLI | $("$DOCKER" version --format '{{.Server.Version}} / {{.Client.Version}}' 2>/dev/null) |
| .NET SDK | $(dotnet --version) |
| Load average (1/5/15 min) at start / end | $load_start / $load_end |
| MultiStage.Sdk | $version, packed from the $sdk_source |
| Project | testassets/$ASSET, base images from $registry |
| Runs per case | $runs (median, range in brackets) |
| Total benchmark time | $((total / 60)) min $((total % 60)) s |

Commands, both run in the project folder (\$WORK is the benchmark's temporary folder) and both through a byte-counting
proxy in front of the engine socket (bench/engine/CountingProxy), so each pays the same extra hop:

- Engine API: \`$ours_cmd\`
- docker CLI: \`$cli_cmd\` (the Dockerfile and .dockerignore written by the Engine API run, unchanged between runs)
- Dockerfile generation alone, for scale: \`$gen_cmd\`

## End-to-end time

Wall-clock seconds from start to exit. One untimed build with each primes the cache first. *Warm*: nothing changed
since the last build. *One-line edit*: a different comment line at the end of Program.cs before each build, so the
source layer and the publish step run again (the restore layer stays cached).

| Case | Engine API (dotnet build) | of which the engine build (BuildImage task's own figure) | docker CLI (BuildKit) |
|---|---|---|---|
$(row_time "Warm" "${warm_ours[@]}" "${warm_task[@]}" "${warm_cli[@]}")
$(row_time "One-line edit" "${edit_ours[@]}" "${edit_task[@]}" "${edit_cli[@]}")
$(if ((cold)); then row_time "Cold (docker builder prune -af before each)" "${cold_ours[@]}" "${cold_task[@]}" "${cold_cli[@]}"; else echo "| Cold | not run (--cold) | | not run (--cold) |"; fi)
| Dockerfile generation alone, no image build (warm) | $(median "${warm_gen[@]}") s ($(range "${warm_gen[@]}")) | – | – |

The rest of the Engine API figure is MSBuild: process start, implicit restore, evaluation and the Dockerfile
generation, which the generation-only row measures on its own.
$load_note

## Bytes sent to the engine

Everything each client wrote to the engine socket during the command, HTTP framing, API calls and progress
acknowledgements included (median of the runs; the context on disk, without bin/ and obj/, is $(bytes "$(context_bytes)")).

| Case | Engine API (dotnet build) | docker CLI (BuildKit) |
|---|---|---|
$(row_bytes "Warm" "${warm_ours_b[@]}" "${warm_cli_b[@]}")
$(row_bytes "One-line edit" "${edit_ours_b[@]}" "${edit_cli_b[@]}")
$(if ((cold)); then row_bytes "Cold" "${cold_ours_b[@]}" "${cold_cli_b[@]}"; fi)

The two clients hand the context over the same way since the Engine API path opens a BuildKit session for every
BuildKit build: the builder pulls files through it, compares file metadata with what it synced before and transfers
only what a \`COPY\` needs and has changed, so a warm build moves little more than the metadata of the context and
an edit moves the edited file (docs/engine-session.md). Runs of this report made before that change show the Engine
API path streaming the whole context as a tar archive on every build; the classic builder and engines without
sessions still do. The memory figures below are those of the path the run took (the session file sync since the change).

## Peak memory of the MSBuild process against the context size

\`/usr/bin/time -v\` around the Engine API command with \`-m:1 -nodeReuse:false -v:d\` added, after a file of random
bytes was put in \`data/\` of the project (not ignored: the context upload carries it, and the Dockerfile's
\`COPY . ./\` copies it into the build stage). Peak RSS covers the whole command: restore, generation and the upload.

| Random data in the context | Bytes sent to the engine | Max RSS of MSBuild | Time |
|---|---|---|---|
$(for i in "${!mem_size[@]}"; do
    printf '| %s | %s (%s B) | %s MiB (%s KiB) | %s s |\n' "$(bytes $((mem_size[i] * 1024 * 1024)))" "$(bytes "${mem_sent[i]}")" "${mem_sent[i]}" \
        "$(awk -v k="${mem_rss[i]}" 'BEGIN { printf "%.0f", k / 1024 }')" "${mem_rss[i]}" "${mem_time[i]}"
done)

Max RSS $(bytes "$largest_data") / $(bytes $((${mem_size[0]} * 1024 * 1024))): **$ratio** — $verdict.
All projects built on the in-process node (MSBuild's \`on node 1\`, so the task ran in the measured process): $single_node.
EOF
)
printf '%s\n' "$report"
if [[ $doc != - ]]; then
    mkdir -p "$(dirname "$doc")"
    printf '%s\n' "$report" >"$doc"
    say "written to $doc"
fi
say "done in $((total / 60)) min $((total % 60)) s"
