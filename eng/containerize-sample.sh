#!/usr/bin/env bash
# The main job on a fresh machine: pack MultiStage.Sdk, containerize a sample project with it exactly as a
# user would (<Sdk Name="MultiStage.Sdk" /> from a NuGet feed), print the generated Dockerfile, and, when a
# Docker engine answers, build the image and run it.
#
#   bash eng/containerize-sample.sh [asset]       asset: webapi (default), console, worker, multiproject, aot, selfcontained, icu
#
# MULTISTAGE_BASE_IMAGE_REGISTRY moves every inferred base image to a mirror registry; when unset and the
# local stand-in registry of eng/testenv (127.0.0.1:5000) serves the .NET images, that one is used.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
asset="${1:-webapi}"
[ -d "$repo/testassets/$asset" ] || { echo "unknown sample '$asset' (see testassets/)" >&2; exit 2; }

# Outside the repository: the repository's own Directory.Build.props / Directory.Packages.props must not apply
# to the sample, as they would not to a user's project.
out="${MULTISTAGE_SAMPLE_DIR:-${TMPDIR:-/tmp}/multistage-sample}"
version="0.1.0-sample"
rm -rf "$out"
mkdir -p "$out/feed"
dotnet pack "$repo/sdk/MultiStage.Sdk.csproj" -c Release -o "$out/feed" -p:Version="$version" -nologo -v:q
# A fresh packages folder: the sample always runs the SDK just packed, never a cached copy of the same version.
export NUGET_PACKAGES="$out/nuget-packages"

cp -r "$repo/testassets/$asset" "$out/$asset"
find "$out/$asset" -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} +
printf '{\n  "msbuild-sdks": {\n    "MultiStage.Sdk": "%s"\n  }\n}\n' "$version" > "$out/$asset/global.json"
cat > "$out/NuGet.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="multistage-sample" value="$out/feed" />
  </packageSources>
</configuration>
XML

project_dir="$out/$asset"
[ "$asset" = multiproject ] && project_dir="$out/$asset/src/App"

docker_cli=docker
[ -x /usr/bin/docker ] && docker_cli=/usr/bin/docker
registry="${MULTISTAGE_BASE_IMAGE_REGISTRY:-}"
if [ -z "$registry" ] && curl -fsS -o /dev/null http://127.0.0.1:5000/v2/dotnet/sdk/tags/list 2>/dev/null; then
  registry=127.0.0.1:5000
fi

args=(publish -t:ContainerizeMultiStage -nologo)
[ -n "$registry" ] && args+=("-p:MultiStageBaseImageRegistry=$registry")
# Native AOT publishes need a native toolchain on the host; generation alone does not, so build just the target.
[ "$asset" = aot ] && args[0]=build
(cd "$project_dir" && dotnet "${args[@]}")

context="$out/$asset"
echo "----- $context/Dockerfile -----"
cat "$context/Dockerfile"
echo "-------------------------------"
# MULTISTAGE_SAMPLE_NO_BUILD=1: generation only (bench/cold-suspects.sh builds the context itself).
[ "${MULTISTAGE_SAMPLE_NO_BUILD:-0}" = 1 ] && exit 0

if ! "$docker_cli" version >/dev/null 2>&1; then
  echo "No Docker engine answers: the Dockerfile is written; build it with: docker build -t $asset $context"
  exit 0
fi

image="multistage-sample/$asset:latest"
DOCKER_BUILDKIT=1 "$docker_cli" build --network host -t "$image" "$context"
echo "----- docker run $image -----"
if [ "$asset" = webapi ]; then
  cid=$("$docker_cli" run -d --network host -e ASPNETCORE_URLS=http://127.0.0.1:18080 "$image")
  trap '"$docker_cli" rm -f "$cid" >/dev/null' EXIT
  for _ in $(seq 1 40); do curl -fsS http://127.0.0.1:18080/ 2>/dev/null && break; sleep 0.5; done
  echo
else
  "$docker_cli" run --rm --network none "$image"
fi
