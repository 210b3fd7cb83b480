#!/usr/bin/env bash
# Why is a cold build of the generated Dockerfile slower than the sample's? Builds one generated context cold in
# variants that each take one suspect away, in turns, and prints wall time and BuildKit's per-step times
# (docs/benchmarks-cold.md has the findings).
#
#   bash bench/cold-suspects.sh <asset> [rounds] [variants]     asset: console or multiproject; rounds default 2
#
# Variants: as-is; cpu (-maxcpucount, all cores); vbcs (UseSharedCompilation=true); stash (no restore stash: no
# build-output mount, so no mv/cp -a); http (no NuGet HTTP cache mount); layers (no in-image layer split: one COPY
# of /app/publish); sdk (layers, and no MultiStage.Sdk in the build stage: no vendored package, project without the
# <Sdk> line); sample (the hand-written sample Dockerfile of bench/compare/dockerfiles on the sdk variant's context).
#
# Cold without touching anyone's build cache: every build runs with --no-cache and cache mount ids of its own
# (an empty mount), so nothing is pruned. The mounts it leaves are removed at the end by their ids.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
asset="${1:?asset: console or multiproject}"
rounds="${2:-2}"
variants="${3:-as-is cpu vbcs stash http layers sdk sample}"
registry="${MULTISTAGE_BENCH_REGISTRY:-127.0.0.1:5000}"
docker_cli=/usr/bin/docker
work="$(mktemp -d /tmp/multistage-cold-suspects.XXXXXX)"
# The build logs stay with MULTISTAGE_COLD_KEEP=1.
trap '[ "${MULTISTAGE_COLD_KEEP:-0}" = 1 ] && echo "logs in $work" || rm -rf "$work"' EXIT
export DOCKER_BUILDKIT=1

# The generated context, as a user gets it (eng/containerize-sample.sh packs this checkout's SDK and generates), or
# a copy of one generated before (MULTISTAGE_COLD_CONTEXT=<folder>: packing is slow on a busy machine).
context="$work/sample/$asset"
if [ -n "${MULTISTAGE_COLD_CONTEXT:-}" ]; then
  mkdir -p "$work/sample" && cp -r "$MULTISTAGE_COLD_CONTEXT" "$context"
else
  MULTISTAGE_SAMPLE_DIR="$work/sample" MULTISTAGE_SAMPLE_NO_BUILD=1 bash "$repo/eng/containerize-sample.sh" "$asset" >"$work/generate.log" 2>&1 \
    || { tail -30 "$work/generate.log"; exit 1; }
fi
find "$context" -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} +
# The sdk and sample variants: the same sources without MultiStage.Sdk.
plain="$work/plain"
cp -r "$context" "$plain"
rm -rf "$plain/.multistage" "$plain/global.json"
grep -rlZ --include='*proj' --include='*.props' --include='*.targets' 'Sdk Name="MultiStage.Sdk"' "$plain" \
  | xargs -0 -r sed -i '/<Sdk Name="MultiStage.Sdk"[^>]*\/>/d'
sed "s#127.0.0.1:5000/#$registry/#g" "$repo/bench/compare/dockerfiles/$asset.Dockerfile" >"$work/sample.source.Dockerfile"

# Writes the variant's Dockerfile: the generated one with one suspect taken away (python3 for the multi-line edits).
variant_dockerfile() {
  python3 - "$1" "${3:-$context/Dockerfile}" "$2" <<'PY'
import re, sys
variant, source, run = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(source).read()
MARK = 'echo "mark %s $(cat /sys/fs/cgroup/cpuacct/cpuacct.usage) $(date +%%s%%N)"'
def label(command):
    words = command.split()
    return "-".join(words[:2]) if words and words[0] == "dotnet" else (words[0] if words else "?")
def instrument(t):
    # Every command of a RUN that runs dotnet between two marks: the step's cgroup CPU time (BuildKit runs each RUN
    # in a cgroup of its own, which also holds MSBuild's nodes and the compiler server) and the wall clock.
    out, lines, i = [], t.split("\n"), 0
    while i < len(lines):
        if not lines[i].startswith("RUN "):
            out.append(lines[i]); i += 1; continue
        block = [lines[i]]
        while block[-1].endswith("\\"):
            i += 1; block.append(lines[i])
        i += 1
        body = "\n".join(block)
        if "dotnet " not in body:
            out.append(body); continue
        m = re.match(r"RUN ((?:--mount=\S+ \\\n\s*)*)(.*)$", body, re.S)
        mounts, command = m.group(1), m.group(2)
        parts = re.split(r"( \\\n\s*&& | && )", command)
        commands, seps = parts[0::2], parts[1::2]
        rebuilt = MARK % label(commands[0]) + " && " + commands[0]
        for sep, c in zip(seps, commands[1:]):
            rebuilt += sep + MARK % label(c) + " && " + c
        out.append("RUN " + mounts + rebuilt + " && " + MARK % "end")
    return "\n".join(out)
def drop_layers(t):
    t = re.sub(r" \\\n\s+-p:MultiStageLayerDirectory=\S+", "", t)
    t = re.sub(r" \\\n\s+-p:MultiStageLayers=\S+", "", t)
    copies = re.findall(r'^COPY --from=build \["/app/layers/[^"]*", "\."\]\n', t, re.M)
    t = t.replace(copies[0], 'COPY --from=build ["/app/publish/", "."]\n', 1)
    for c in copies[1:]:
        t = t.replace(c, "", 1)
    return t
if variant == "cpu":
    text = text.replace("-maxcpucount:1", "-maxcpucount")
elif variant == "vbcs":
    text = text.replace("-p:UseSharedCompilation=false", "-p:UseSharedCompilation=true")
elif variant == "stash":
    text = text.replace(" \\\n    && mv /a /restored", "")
    text = text.replace("cp -a /restored/. /a/ \\\n    && ", "")
    text = re.sub(r"--mount=type=cache,id=multistage-artifacts-[^ ]+ \\\n    ", "", text)
elif variant == "http":
    text = re.sub(r"--mount=type=cache,id=multistage-nuget-http,[^ ]+ \\\n    ", "", text)
elif variant in ("layers", "sdk"):
    text = drop_layers(text)
if variant == "sdk":
    text = re.sub(r'^COPY \["\.multistage/packages/", "/nuget/packages/"\]\n', "", text, flags=re.M)
    text = re.sub(r' \\\n\s+-p:MultiStageGenerateOnPublish=false', "", text)
    text = text.replace('"global.json", ', "")
# An empty cache mount of its own for every build: cold without pruning anything.
text = text.replace("id=multistage-", f"id=coldsuspect-{run}-")
sys.stdout.write(instrument(text))
PY
}

printf '%-8s %5s %8s  %s\n' variant round seconds "steps over 0.3 s (BuildKit)" | tee "$work/summary.txt"
for round in $(seq 1 "$rounds"); do
  list=($variants)
  # Mirrored order every other round: a drift of the machine's load hits every variant alike.
  (( round % 2 == 0 )) && list=($(printf '%s\n' "${list[@]}" | tac))
  for v in "${list[@]}"; do
    run="$(date +%s%N)"
    dir="$context"
    case "$v" in
      sample) variant_dockerfile sample "$run" "$work/sample.source.Dockerfile" >"$work/$v.Dockerfile"; dir="$plain" ;;
      sdk) variant_dockerfile "$v" "$run" >"$work/$v.Dockerfile"; dir="$plain" ;;
      *) variant_dockerfile "$v" "$run" >"$work/$v.Dockerfile" ;;
    esac
    [ "$v" = sdk ] && sed -i 's#^COPY \[".multistage/nuget/nuget.config", "NuGet.config"\]#COPY ["NuGet.config", "NuGet.config"]#' "$work/$v.Dockerfile"
    log="$work/$v-$round.log"
    start=$(date +%s.%N)
    "$docker_cli" build --no-cache --network host --progress=plain -f "$work/$v.Dockerfile" -t "coldsuspect/$asset-$v:latest" "$dir" >"$log" 2>&1 \
      || { echo "$v failed:"; tail -30 "$log"; exit 1; }
    end=$(date +%s.%N)
    # Steps named by what they run: restore, publish, or the instruction's first words.
    steps=$(awk '
      /^#[0-9]+ \[/ { id=$1; sub(/^#[0-9]+ /, ""); n=$0
        if (n ~ /dotnet restore/) n="restore"; else if (n ~ /dotnet publish/) n="publish"
        else { sub(/^\[[^]]*\] /, "", n); n=substr(n, 1, 28) }
        name[id]=n }
      /^#[0-9]+ DONE / { t=$3; sub(/s$/, "", t); if (t+0 >= 0.3 && (($1) in name)) printf "%s=%s; ", name[$1], t }' "$log")
    # Between two marks of one step: "<command>=<wall>/<cpu>" seconds.
    marks=$(awk '
      $3 == "mark" { id=$1; if ((id) in last) printf "%s=%.1f/%.1f ", lastname[id], ($6-lastwall[id])/1e9, ($5-lastcpu[id])/1e9
        last[id]=1; lastname[id]=$4; lastcpu[id]=$5; lastwall[id]=$6 }' "$log")
    printf '%-8s %5s %8.1f  %s| %s\n' "$v" "$round" "$(echo "$end - $start" | bc)" "$steps" "$marks" | tee -a "$work/summary.txt"
  done
done

for v in $variants; do "$docker_cli" image rm "coldsuspect/$asset-$v:latest" >/dev/null 2>&1 || true; done
# This run's cache mounts only, by record ID (the Engine API's /system/df names each mount's id in its description).
curl -fsS --unix-socket /var/run/docker.sock http://localhost/system/df \
  | python3 -c 'import json, sys; [print(b["ID"]) for b in json.load(sys.stdin).get("BuildCache") or [] if "coldsuspect-" in b.get("Description", "")]' \
  | while read -r id; do "$docker_cli" builder prune -f --filter "id=$id" >/dev/null 2>&1 || true; done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
