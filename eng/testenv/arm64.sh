#!/usr/bin/env bash
# Makes the chiseled stand-ins multi-platform, as Microsoft's images are: builds arm64
# variants of runtime-deps/runtime/aspnet:10.0-noble-chiseled(-extra) without emulation
# (arm64 Debian packages unpacked on the host, the arm64 shared frameworks from NuGet's
# runtime packs, a Dockerfile of FROM scratch and COPY), pushes each as TAG-arm64, and
# stores under TAG a manifest list of the amd64 image (left as it is) and the arm64 one,
# so that FROM resolves per platform. Idempotent: inputs are labelled, the registry's
# list is compared before it is written. Called by up.sh once the amd64 images are
# pushed; needs MULTISTAGE_DEBIAN_MIRROR.
set -Eeuo pipefail
trap 'printf "[testenv] error: line %s: %s failed\n" "$LINENO" "$BASH_COMMAND" >&2' ERR

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly HERE
readonly DOCKER=/usr/bin/docker
readonly REGISTRY=127.0.0.1:5000
readonly PREFIX=$REGISTRY/dotnet
readonly CACHE_DIR=/var/cache/multistage-testenv
readonly LOG=/var/log/multistage-testenv.log
readonly DOTNET_HOST_ROOT=/usr/share/dotnet
readonly RUNTIME_VERSION=10.0.12
readonly SUITE=bookworm
readonly LABEL=org.multistage.testenv.inputs
readonly DEB_PACKAGES=(libc6 libgcc-s1 libstdc++6 libssl3 libicu72)
readonly DEBS_DIR=$CACHE_DIR/arm64-debs
readonly NUGET_DIR=$CACHE_DIR/arm64-nuget
# "REF DIGEST INPUTS" of each manifest list stored: a warm run checks each tag with one request.
readonly STATE=$CACHE_DIR/arm64-lists
readonly LIST_TYPE=application/vnd.docker.distribution.manifest.list.v2+json
readonly MANIFEST_TYPE=application/vnd.docker.distribution.manifest.v2+json
export DOCKER_HOST=unix:///var/run/docker.sock

log() {
    printf '[testenv] %s\n' "$*"
    printf '[testenv %s] %s\n' "$(date +%T)" "$*" >>"$LOG"
}
die() { printf '[testenv] error: %s\n' "$*" >&2; exit 1; }
quiet() {
    if ! "$@" >>"$LOG" 2>&1; then
        printf '[testenv] command failed: %s\n' "$*" >&2
        tail -n 30 "$LOG" >&2
        return 1
    fi
}
hash_text() { sha256sum | cut -c1-32; }

# The arm64 .deb files of DEB_PACKAGES, downloaded and verified by debootstrap, once.
download_debs() {
    [[ -f $DEBS_DIR/ok ]] && return 0
    local work=$CACHE_DIR/arm64-debootstrap
    log "downloading arm64 packages (debootstrap --download-only): once"
    rm -rf "$work" "$DEBS_DIR"
    quiet debootstrap --download-only --arch=arm64 --variant=minbase \
        --include="$(IFS=,; echo "${DEB_PACKAGES[*]}")" \
        --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
        "$SUITE" "$work" "${MULTISTAGE_DEBIAN_MIRROR:?}" || die "arm64 package download failed (see $LOG)"
    mkdir -p "$DEBS_DIR"
    local package
    for package in "${DEB_PACKAGES[@]}"; do
        cp "$work/var/cache/apt/archives/${package}"_*_arm64.deb "$DEBS_DIR/"
    done
    rm -rf "$work"
    touch "$DEBS_DIR/ok"
}

# The arm64 runtime packs, restored by NuGet (PackageDownload), once.
download_runtime_packs() {
    [[ -f $NUGET_DIR/ok ]] && return 0
    log "downloading the arm64 .NET runtime packs from NuGet: once"
    local work
    work=$(mktemp -d)
    cat >"$work/packs.csproj" <<PROJECT
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="Microsoft.NETCore.App.Runtime.linux-arm64" Version="[$RUNTIME_VERSION]" />
    <PackageDownload Include="Microsoft.AspNetCore.App.Runtime.linux-arm64" Version="[$RUNTIME_VERSION]" />
  </ItemGroup>
</Project>
PROJECT
    DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 quiet "$DOTNET_HOST_ROOT/dotnet" restore "$work/packs.csproj" \
        --packages "$NUGET_DIR" || die "arm64 runtime pack download failed (see $LOG)"
    rm -rf "$work"
    touch "$NUGET_DIR/ok"
}

# Unpacks the layers of a local image into DIR (its files exactly, no container artifacts).
image_files() {
    local image=$1 dir=$2 tmp layer
    tmp=$(mktemp -d)
    "$DOCKER" image save "$image" | tar -x -C "$tmp"
    mkdir -p "$dir"
    for layer in $(grep -o '"[^"]*/layer.tar"' "$tmp/manifest.json" | tr -d '"'); do
        tar -x -C "$dir" -f "$tmp/$layer"
    done
    rm -rf "$tmp"
}

# The build context: rootfs/ for VARIANT (minimal or extra), runtime/ and aspnet/.
stage_context() {
    local ctx=$1 variant=$2 suffix=$3 dotnet=usr/share/dotnet
    local core=$NUGET_DIR/microsoft.netcore.app.runtime.linux-arm64/$RUNTIME_VERSION
    local asp=$NUGET_DIR/microsoft.aspnetcore.app.runtime.linux-arm64/$RUNTIME_VERSION
    rm -rf "$ctx"
    mkdir -p "$ctx"
    image_files "$PREFIX/runtime-deps:10.0-noble-chiseled$suffix" "$ctx/amd64"
    sh "$HERE/images/chisel-arm64.sh" "$ctx/amd64" "$DEBS_DIR" "$ctx/rootfs" "$variant" >>"$LOG" 2>&1 \
        || die "chisel-arm64.sh failed (see $LOG)"
    rm -rf "$ctx/amd64"
    # The shared framework is the pack's managed and native files; hostfxr goes where the host looks for it.
    local fw=$ctx/runtime/$dotnet/shared/Microsoft.NETCore.App/$RUNTIME_VERSION
    mkdir -p "$fw" "$ctx/runtime/$dotnet/host/fxr/$RUNTIME_VERSION" "$ctx/aspnet/$dotnet/shared/Microsoft.AspNetCore.App/$RUNTIME_VERSION"
    cp -a "$core/runtimes/linux-arm64/lib/net10.0/." "$core/runtimes/linux-arm64/native/." "$fw/"
    mv "$fw/libhostfxr.so" "$ctx/runtime/$dotnet/host/fxr/$RUNTIME_VERSION/"
    cp "$core/LICENSE.TXT" "$ctx/runtime/$dotnet/LICENSE.txt"
    cp "$core/THIRD-PARTY-NOTICES.TXT" "$ctx/runtime/$dotnet/ThirdPartyNotices.txt" 2>/dev/null || true
    cp -a "$asp/runtimes/linux-arm64/lib/net10.0/." "$ctx/aspnet/$dotnet/shared/Microsoft.AspNetCore.App/$RUNTIME_VERSION/"
}

# curl of the registry's manifest API: manifest PATH:REFERENCE with the Accept type, headers only.
manifest_head() {
    curl -fsS --max-time 10 -o /dev/null -D - -I -H "Accept: $2" "http://$REGISTRY/v2/$1" 2>/dev/null | tr -d '\r'
}
header() { awk -v name="$1" 'tolower($1) == tolower(name) ":" { print $2; exit }'; }

registry_label() {
    local path=${1#"$REGISTRY"/} config
    config=$(curl -fsS --max-time 10 -H "Accept: $MANIFEST_TYPE" "http://$REGISTRY/v2/${path%:*}/manifests/${path##*:}" 2>/dev/null \
        | tr -d ' \n' | grep -o '"config":{[^}]*}' | grep -o 'sha256:[0-9a-f]*') || return 0
    curl -fsS --max-time 10 "http://$REGISTRY/v2/${path%:*}/blobs/$config" 2>/dev/null \
        | grep -o "\"$LABEL\":\"[0-9a-f]*\"" | head -n 1 | cut -d'"' -f4 || true
}

# One "digest size" line for the platform manifest of REF (a list's linux/amd64 entry,
# which the registry answers a client that accepts no lists with).
manifest_descriptor() {
    local path=${1#"$REGISTRY"/} head
    head=$(manifest_head "${path%:*}/manifests/${path##*:}" "$MANIFEST_TYPE")
    printf '%s %s\n' "$(header Docker-Content-Digest <<<"$head")" "$(header Content-Length <<<"$head")"
}

# Succeeds when the registry's REF is the list recorded for these INPUTS.
list_is_current() {
    local ref=$1 want=$2 path=${1#"$REGISTRY"/} digest
    digest=$(manifest_head "${path%:*}/manifests/${path##*:}" "$LIST_TYPE" | header Docker-Content-Digest)
    [[ -n $digest ]] && grep -qxF "$ref $digest $want" "$STATE" 2>/dev/null
}

# Stores under REF the manifest list of the amd64 and arm64 images (unless it is there) and records it for INPUTS.
put_list() {
    local ref=$1 want=$2 amd64 arm64 path=${1#"$REGISTRY"/} document current digest
    read -r -a amd64 <<<"$(manifest_descriptor "$ref")"
    read -r -a arm64 <<<"$(manifest_descriptor "$ref-arm64")"
    [[ ${#amd64[@]} == 2 && ${#arm64[@]} == 2 ]] || die "cannot read the manifests of $ref and $ref-arm64"
    document=$(printf '{"schemaVersion":2,"mediaType":"%s","manifests":[{"mediaType":"%s","digest":"%s","size":%s,"platform":{"architecture":"amd64","os":"linux"}},{"mediaType":"%s","digest":"%s","size":%s,"platform":{"architecture":"arm64","os":"linux","variant":"v8"}}]}' \
        "$LIST_TYPE" "$MANIFEST_TYPE" "${amd64[0]}" "${amd64[1]}" "$MANIFEST_TYPE" "${arm64[0]}" "${arm64[1]}")
    current=$(curl -fsS --max-time 10 -H "Accept: $LIST_TYPE" "http://$REGISTRY/v2/${path%:*}/manifests/${path##*:}" 2>/dev/null || true)
    if [[ $current != "$document" ]]; then
        curl -fsS --max-time 30 -X PUT -H "Content-Type: $LIST_TYPE" --data-binary "$document" \
            "http://$REGISTRY/v2/${path%:*}/manifests/${path##*:}" -o /dev/null || die "cannot store the manifest list $ref"
        log "stored $ref as a manifest list (linux/amd64, linux/arm64)"
    fi
    digest=sha256:$(printf '%s' "$document" | sha256sum | cut -d' ' -f1)
    { grep -v "^$ref " "$STATE" 2>/dev/null || true; echo "$ref $digest $want"; } >"$STATE.tmp"
    mv "$STATE.tmp" "$STATE"
}

# images VARIANT SUFFIX BASE_INPUTS: the arm64 images and lists of one variant; BASE_INPUTS
# is the input label of the amd64 runtime-deps image, so a new amd64 image makes new arm64 ones.
images() {
    local variant=$1 suffix=$2 name want ctx built=0 todo=()
    want=$( {
        cat "$HERE/images/chiseled-arm64.Dockerfile" "$HERE/images/chisel-arm64.sh" "$0"
        printf "%s\n" "$SUITE" "${DEB_PACKAGES[@]}" "$RUNTIME_VERSION" "$3"
    } | hash_text)
    for name in runtime-deps runtime aspnet; do
        list_is_current "$PREFIX/$name:10.0-noble-chiseled$suffix" "$want" || todo+=("$name")
    done
    ((${#todo[@]})) || return 0
    for name in "${todo[@]}"; do
        local ref=$PREFIX/$name:10.0-noble-chiseled$suffix-arm64
        [[ $(registry_label "$ref") == "$want" ]] && continue
        if ((built == 0)); then
            download_debs
            download_runtime_packs
            ctx=$CACHE_DIR/context/arm64$suffix
            stage_context "$ctx" "$variant" "$suffix"
            built=1
        fi
        log "building $ref"
        DOCKER_BUILDKIT=1 quiet "$DOCKER" build --platform linux/arm64 --network none --target "$name" \
            --build-arg "VARIANT=$variant" --build-arg "DOTNET_VERSION=$RUNTIME_VERSION" --build-arg "ASPNET_VERSION=$RUNTIME_VERSION" \
            --label "$LABEL=$want" -t "$ref" -f "$HERE/images/chiseled-arm64.Dockerfile" "$ctx" \
            || die "build of $ref failed (see $LOG)"
        [[ $("$DOCKER" image inspect -f '{{.Os}}/{{.Architecture}}' "$ref") == linux/arm64 ]] || die "$ref is not linux/arm64"
        quiet "$DOCKER" push "$ref" || die "push of $ref failed"
    done
    ((built)) && rm -rf "$ctx"
    for name in "${todo[@]}"; do
        put_list "$PREFIX/$name:10.0-noble-chiseled$suffix" "$want"
    done
}

# One engine call for both variants' base labels.
mapfile -t base_inputs < <("$DOCKER" image inspect -f "{{index .Config.Labels \"$LABEL\"}}" \
    "$PREFIX/runtime-deps:10.0-noble-chiseled" "$PREFIX/runtime-deps:10.0-noble-chiseled-extra")
[[ ${#base_inputs[@]} == 2 && -n ${base_inputs[0]} && -n ${base_inputs[1]} ]] || die "the amd64 chiseled runtime-deps images are missing"
images minimal "" "${base_inputs[0]}"
images extra -extra "${base_inputs[1]}"
