#!/usr/bin/env bash
# CPU time of the build stage's restore and publish, cold, one suspect at a time. Each run is a fresh container of
# the SDK image (empty NuGet folders, first use of the CLI, as in a cold `docker build`) that runs the generated
# Dockerfile's restore and publish commands, each between two marks that read the container's cgroup CPU time
# (user+sys of every process: MSBuild, its nodes, the compiler) and the wall clock. Variants run in turns, the
# order mirrored every other round, so a drift of the machine's load hits them alike (docs/benchmarks-cold.md).
#
#   bash bench/stage-steps.sh <generated context> [rounds] [variants]      rounds default 5
#
# Variants: as-is; telemetry (DOTNET_CLI_TELEMETRY_OPTOUT=1); sdkpath (MultiStage.Sdk found by MSBuild's default
# resolver through MSBuildSDKsPath, the NuGet SDK resolver off); nosdk (no MultiStage.Sdk: project without the
# <Sdk> line, no vendored package, no layer split); nolayers (no in-image layer split); noartifacts (no
# UseArtifactsOutput/ArtifactsPath, so no stash); sample (the sample Dockerfile's two commands on nosdk's project).
set -euo pipefail
context="$(cd "${1:?generated context folder}" && pwd)"
rounds="${2:-5}"
variants="${3:-as-is telemetry sdkpath nosdk nolayers noartifacts sample}"
image="${MULTISTAGE_BENCH_SDK_IMAGE:-127.0.0.1:5000/dotnet/sdk:10.0}"
docker_cli=/usr/bin/docker
work="$(mktemp -d /tmp/multistage-stage-steps.XXXXXX)"
trap '[ "${MULTISTAGE_STAGE_KEEP:-0}" = 1 ] && echo "logs in $work" || rm -rf "$work"' EXIT

# One folder per variant: the context as the build stage sees it, and run.sh, the RUN steps with marks.
for v in $variants; do
  mkdir -p "$work/$v"
  cp -a "$context" "$work/$v/src"
  find "$work/$v/src" -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} +
  python3 - "$v" "$context/Dockerfile" "$work/$v" <<'PY'
import glob, os, re, shutil, sys
variant, dockerfile, out = sys.argv[1], sys.argv[2], sys.argv[3]
src = os.path.join(out, "src")
text = open(dockerfile).read()
runs = [re.sub(r"\\\n\s*", "", m) for m in re.findall(r"^RUN (.*?[^\\])$", text, re.M | re.S)]
runs = [re.sub(r"--mount=\S+\s+", "", r).strip() for r in runs if "dotnet restore" in r or "dotnet publish" in r]
restore, publish = runs
env, setup = [], []
def drop(cmd, *patterns):
    for p in patterns:
        cmd = re.sub(r"\s+" + p + r"(?=\s|$)", "", cmd)
    return cmd
if variant == "telemetry":
    env.append("DOTNET_CLI_TELEMETRY_OPTOUT=1")
if variant == "sdkpath":
    # The vendored package where MSBuild's default resolver looks: $MSBuildSDKsPath/<name>/Sdk.
    package = glob.glob(os.path.join(src, ".multistage/packages/multistage.sdk/*/"))[0]
    shutil.copytree(package, os.path.join(out, "sdks/MultiStage.Sdk"))
    # MSBuildSDKsPath names the .NET SDK's own folder of SDKs (Microsoft.NET.Sdk…, whose files import relative to
    # it): a link to the package there.
    setup.append("ln -s /variant/sdks/MultiStage.Sdk /usr/share/dotnet/sdk/*/Sdks/")
    env += ["MSBUILDDISABLENUGETSDKRESOLVER=1"]
if variant in ("nosdk", "sample"):
    shutil.rmtree(os.path.join(src, ".multistage"), ignore_errors=True)
    for p in glob.glob(os.path.join(src, "**/*proj"), recursive=True) + glob.glob(os.path.join(src, "**/*.props"), recursive=True):
        t = open(p).read()
        open(p, "w").write(re.sub(r'\s*<Sdk Name="MultiStage.Sdk"[^>]*/>', "", t))
if variant in ("nosdk", "nolayers"):
    publish = drop(publish, r"-p:MultiStageLayerDirectory=\S+", r"-p:MultiStageLayers=\S+")
if variant == "nosdk":
    publish = drop(publish, r"-p:MultiStageGenerateOnPublish=\S+")
if variant == "noartifacts":
    restore = drop(restore, r"-p:UseArtifactsOutput=\S+", r"-p:ArtifactsPath=\S+").replace(" && mv /a /restored", "")
    publish = drop(publish, r"-p:UseArtifactsOutput=\S+", r"-p:ArtifactsPath=\S+").replace("cp -a /restored/. /a/ && ", "")
if variant == "sample":
    project = re.search(r"dotnet restore (\S+)", restore).group(1)
    restore = f"dotnet restore {project} -a $TARGETARCH"
    publish = f"dotnet publish {project} -a $TARGETARCH --no-restore -o /app"
mark = 'echo "mark %s $(cat /sys/fs/cgroup/cpuacct/cpuacct.usage) $(date +%%s%%N)"'
with open(os.path.join(out, "run.sh"), "w") as f:
    f.write("set -e\nexport TARGETARCH=amd64\n")
    for e in env:
        f.write(f"export {e}\n")
    f.write("cp -a /variant/src/. /src/ && mkdir -p /nuget/packages && cd /src\n")
    for s in setup:
        f.write(s + "\n")
    if os.path.isdir(os.path.join(src, ".multistage/packages")):
        f.write("cp -a .multistage/packages/. /nuget/packages/\n")
    # A failed command stops the run: set -e alone lets the first command of an && list fail.
    f.write(mark % "restore" + "\n(" + restore + ") || exit 1\n" + mark % "publish" + "\nmkdir -p /a\n(" + publish + ") || exit 1\n" + mark % "end" + "\n")
PY
done

printf '%-12s %5s %9s %9s %9s %9s\n' variant round restoreCPU restoreWall publishCPU publishWall | tee "$work/summary.txt"
for round in $(seq 1 "$rounds"); do
  list=($variants)
  (( round % 2 == 0 )) && list=($(printf '%s\n' "${list[@]}" | tac))
  for v in "${list[@]}"; do
    log="$work/$v-$round.log"
    "$docker_cli" run --rm --network host -e NUGET_PACKAGES=/nuget/packages -e NUGET_HTTP_CACHE_PATH=/nuget/http-cache \
      -v "$work/$v":/variant:ro -w / "$image" bash /variant/run.sh >"$log" 2>&1 || { echo "$v failed:"; tail -30 "$log"; exit 1; }
    awk -v v="$v" -v r="$round" '$1 == "mark" { cpu[$2]=$3; wall[$2]=$4 }
      END { printf "%-12s %5s %9.2f %9.2f %9.2f %9.2f\n", v, r, (cpu["publish"]-cpu["restore"])/1e9, (wall["publish"]-wall["restore"])/1e9,
            (cpu["end"]-cpu["publish"])/1e9, (wall["end"]-wall["publish"])/1e9 }' "$log" | tee -a "$work/summary.txt"
  done
done
# Medians per variant (user+sys CPU and wall, seconds).
echo "medians: variant restoreCPU restoreWall publishCPU publishWall (load at the end: $(cut -d' ' -f1-3 /proc/loadavg))"
python3 - "$work/summary.txt" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]).read().splitlines()[1:]]
for v in dict.fromkeys(r[0] for r in rows):
    cols = [[float(r[i]) for r in rows if r[0] == v] for i in range(2, 6)]
    print(f"{v:<12} " + " ".join(f"{statistics.median(c):9.2f}" for c in cols) + f"   n={len(cols[0])}")
PY
