#!/usr/bin/env bash
# Brings up what the end-to-end tests need on a Debian 12 machine, as root:
# a Docker engine without bridge networking, a registry on 127.0.0.1:5000 and
# stand-in .NET container images (127.0.0.1:5000/dotnet/...) built offline from a
# debootstrap root file system and this machine's .NET install.
# Idempotent: every step is skipped when its result is already there.
set -Eeuo pipefail
# Names the command when set -e ends the script (or a build branch) without a message.
trap 'printf "[testenv] error: line %s: %s failed\n" "$LINENO" "$BASH_COMMAND" >&2' ERR

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly HERE
readonly DOCKER=/usr/bin/docker
readonly REGISTRY=127.0.0.1:5000
readonly PREFIX=$REGISTRY/dotnet
readonly CACHE_DIR=/var/cache/multistage-testenv
readonly REGISTRY_DIR=/var/lib/multistage-registry
readonly CONFIG_DIR=/etc/multistage-testenv
readonly RUN_DIR=/run/multistage-testenv
# Parallel build branches each point LOG at a file of their own.
LOG=/var/log/multistage-testenv.log
readonly DOCKERD_LOG=/var/log/multistage-dockerd.log
readonly REGISTRY_LOG=/var/log/multistage-registry.log
readonly DOTNET_HOST_ROOT=/usr/share/dotnet
readonly SDK_VERSION=10.0.401
readonly RUNTIME_VERSION=10.0.12
readonly SUITE=bookworm
readonly LABEL=org.multistage.testenv.inputs
readonly STAGE_LABEL=org.multistage.testenv.stage
# Bump when the way the root file system is made changes without the package list changing.
readonly ROOTFS_RECIPE=2
readonly ROOTFS_PACKAGES=(libc6 libgcc-s1 libstdc++6 libssl3 libicu72 zlib1g tzdata ca-certificates)
readonly HOST_PACKAGES=(docker.io debootstrap debian-archive-keyring docker-registry openssl curl ca-certificates wget tar)

# Always the local engine, whatever the caller's docker environment points at.
export DOCKER_HOST=unix:///var/run/docker.sock
unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH
# The host SDK (smoke apps) needs a home directory, which CI environments may not set.
export HOME=${HOME:-/root}

# MULTISTAGE_TESTENV_REBUILD=1 rebuilds every image without the engine's build cache.
readonly REBUILD=${MULTISTAGE_TESTENV_REBUILD:-0}

started=$(date +%s)

log() {
    printf '[testenv] %s\n' "$*"
    printf '[testenv %s] %s\n' "$(date +%T)" "$*" >>"$LOG"
}
die() { printf '[testenv] error: %s\n' "$*" >&2; exit 1; }

# Runs a command with its output in $LOG; on failure shows the end of that output.
quiet() {
    local mark t0=$SECONDS
    mark=$(wc -l < "$LOG" 2>/dev/null || echo 0)
    if ! "$@" >>"$LOG" 2>&1; then
        printf '[testenv] command failed: %s\n' "$*" >&2
        tail -n +"$((mark + 1))" "$LOG" | tail -n 40 >&2
        return 1
    fi
    printf '[testenv] %d s: %s\n' "$((SECONDS - t0))" "${*:1:3}" >>"$LOG"
}

hash_text() { sha256sum | cut -c1-32; }

[[ $(id -u) == 0 ]] || die "must run as root"
mkdir -p "$CACHE_DIR" "$CONFIG_DIR" "$RUN_DIR" "$REGISTRY_DIR"
# Concurrent runs (parallel test jobs) wait for each other instead of racing.
exec 9>"$RUN_DIR/up.lock"
if ! flock -n 9; then
    log "waiting for another up.sh run to finish"
    flock 9
fi
# One line per image: "built REF" or "reused REF", written by every build branch.
readonly RESULTS=$RUN_DIR/results.$$
: >"$RESULTS"
trap 'rm -f "$RESULTS"' EXIT
printf '\n==== %s up.sh\n' "$(date -Is)" >>"$LOG"

# ---------------------------------------------------------------------------
# 1. Host packages
# ---------------------------------------------------------------------------
install_host_packages() {
    local missing=() p
    for p in "${HOST_PACKAGES[@]}"; do
        dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
    done
    ((${#missing[@]})) || return 0
    log "installing ${missing[*]}"
    # Keep package scripts from starting services (dockerd would create a bridge).
    local policy=/usr/sbin/policy-rc.d own_policy=0
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && own_policy=1
    fi
    local rc=0
    quiet env DEBIAN_FRONTEND=noninteractive apt-get update || rc=$?
    ((rc)) || quiet env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" || rc=$?
    ((own_policy)) && rm -f "$policy"
    ((rc == 0)) || die "package installation failed (see $LOG)"
}
install_host_packages

[[ -x $DOTNET_HOST_ROOT/dotnet ]] || die "no .NET install in $DOTNET_HOST_ROOT"
for d in "sdk/$SDK_VERSION" "shared/Microsoft.NETCore.App/$RUNTIME_VERSION" "shared/Microsoft.AspNetCore.App/$RUNTIME_VERSION"; do
    [[ -d $DOTNET_HOST_ROOT/$d ]] || die "missing $DOTNET_HOST_ROOT/$d"
done

# ---------------------------------------------------------------------------
# 2. Docker engine
# ---------------------------------------------------------------------------
docker_answers() { timeout 10 "$DOCKER" version >/dev/null 2>&1; }

# Succeeds while the process recorded in pid file $1 still runs.
pid_alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

start_dockerd() {
    docker_answers && return 0
    log "starting dockerd"
    # Detached from this script's session; fd 9 (the run lock) is closed for it.
    setsid nohup dockerd --bridge=none --iptables=false --ip-masq=false \
        >>"$DOCKERD_LOG" 2>&1 </dev/null 9>&- &
    echo $! >"$RUN_DIR/dockerd.pid"
    local i
    for ((i = 0; i < 60; i++)); do
        docker_answers && return 0
        pid_alive "$RUN_DIR/dockerd.pid" || break
        sleep 1
    done
    tail -n 20 "$DOCKERD_LOG" >&2 || true
    die "dockerd did not answer on /var/run/docker.sock within 60 s (log: $DOCKERD_LOG)"
}
start_dockerd

# ---------------------------------------------------------------------------
# 3. Registry on 127.0.0.1:5000
# ---------------------------------------------------------------------------
registry_answers() { curl -fsS -o /dev/null --max-time 3 "http://$REGISTRY/v2/" 2>/dev/null; }

start_registry() {
    local config=$CONFIG_DIR/registry.yml
    cat >"$config.tmp" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $REGISTRY_DIR
  delete:
    enabled: true
http:
  addr: $REGISTRY
EOF
    mv "$config.tmp" "$config"
    registry_answers && return 0
    log "starting registry on $REGISTRY"
    # Detached like dockerd, without the run lock.
    setsid nohup docker-registry serve "$config" >>"$REGISTRY_LOG" 2>&1 </dev/null 9>&- &
    echo $! >"$RUN_DIR/registry.pid"
    local i
    for ((i = 0; i < 30; i++)); do
        registry_answers && return 0
        pid_alive "$RUN_DIR/registry.pid" || break
        sleep 0.5
    done
    tail -n 20 "$REGISTRY_LOG" >&2 || true
    die "registry did not answer on http://$REGISTRY/v2/ (log: $REGISTRY_LOG)"
}
start_registry

# Push and pull a one-file image, proving the engine treats the registry as usable
# (pulling an image that is present still fetches its manifest from the registry).
probe_registry() {
    local ref=$REGISTRY/multistage-testenv/probe:1
    if ! "$DOCKER" image inspect "$ref" >/dev/null 2>&1; then
        local dir
        dir=$(mktemp -d)
        echo probe >"$dir/probe"
        tar --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$dir" -cf - probe \
            | quiet "$DOCKER" import - "$ref"
        rm -rf "$dir"
    fi
    quiet "$DOCKER" push "$ref" || die "cannot push to $REGISTRY"
    quiet "$DOCKER" pull "$ref" || die "cannot pull from $REGISTRY"
}
probe_registry

# ---------------------------------------------------------------------------
# 4. Images
# ---------------------------------------------------------------------------

# The bookworm mirror this machine's apt uses (deb822 or one-line sources).
debian_mirror() {
    if [[ -n ${MULTISTAGE_DEBIAN_MIRROR:-} ]]; then
        printf '%s\n' "$MULTISTAGE_DEBIAN_MIRROR"
        return
    fi
    local uri
    uri=$(awk -v suite="$SUITE" '
        BEGIN { RS = ""; FS = "\n" }
        {
            uris = ""; suite_ok = 0; type_ok = 0; enabled = 1
            for (i = 1; i <= NF; i++) {
                line = $i
                if (line ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", line); uris = line }
                else if (line ~ /^Suites:/) {
                    sub(/^Suites:[ \t]*/, "", line); n = split(line, s, /[ \t]+/)
                    for (j = 1; j <= n; j++) if (s[j] == suite) suite_ok = 1
                }
                else if (line ~ /^Types:/ && line ~ /[ \t]deb([ \t]|$)/) type_ok = 1
                else if (line ~ /^Enabled:[ \t]*no/) enabled = 0
            }
            if (suite_ok && type_ok && enabled && uris != "") { split(uris, u, /[ \t]+/); print u[1]; exit }
        }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
    if [[ -z $uri ]]; then
        uri=$(awk -v suite="$SUITE" '
            $1 == "deb" {
                i = 2
                if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
                if ($(i + 1) == suite) { print $i; exit }
            }' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
    fi
    [[ -n $uri ]] || die "no $SUITE mirror in the apt sources; set MULTISTAGE_DEBIAN_MIRROR"
    printf '%s\n' "$uri"
}

# Removes a directory tree after unmounting anything a failed debootstrap left in it.
remove_tree() {
    local dir=$1 mnt
    [[ -e $dir ]] || return 0
    awk -v dir="$dir" '$2 == dir || index($2, dir "/") == 1 { print $2 }' /proc/mounts \
        | sort -r | while read -r mnt; do umount -l "$mnt" || true; done
    rm -rf --one-file-system "$dir"
}

ROOTFS_KEY=$(printf '%s\n' "$SUITE" minbase amd64 "recipe=$ROOTFS_RECIPE" "${ROOTFS_PACKAGES[@]}" | hash_text)
readonly ROOTFS_KEY
readonly ROOTFS_TAR=$CACHE_DIR/rootfs-$SUITE-$ROOTFS_KEY.tar
readonly ROOTFS_IMAGE=multistage-testenv/rootfs:$SUITE-${ROOTFS_KEY:0:12}

make_rootfs_tarball() {
    [[ -f $ROOTFS_TAR ]] && return 0
    local mirror work=$CACHE_DIR/rootfs-work
    mirror=$(debian_mirror)
    log "debootstrap $SUITE (minbase): a few minutes, once"
    remove_tree "$work"
    local includes
    includes=$(IFS=,; echo "${ROOTFS_PACKAGES[*]}")
    quiet debootstrap --variant=minbase --arch=amd64 --include="$includes" \
        --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
        "$SUITE" "$work" "$mirror" || die "debootstrap failed (see $LOG)"
    # Slim like Debian's container images: no docs, man pages or apt lists, and dpkg
    # keeps it that way for packages installed later.
    mkdir -p "$work/etc/dpkg/dpkg.cfg.d"
    cat >"$work/etc/dpkg/dpkg.cfg.d/slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
EOF
    cat >"$work/etc/apt/apt.conf.d/docker-clean" <<'EOF'
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
    find "$work/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
    rm -rf "${work:?}"/usr/share/man/* "${work:?}"/usr/share/info/* "${work:?}"/usr/share/locale/* \
        "${work:?}"/var/lib/apt/lists/* "${work:?}"/var/cache/apt/*.bin "${work:?}"/var/cache/apt/archives/*.deb \
        "${work:?}"/var/log/* "${work:?}"/dev/* "${work:?}"/tmp/* "${work:?}"/run/*
    # The engine provides these at run time; the host's copies do not belong in an image.
    : >"$work/etc/resolv.conf"
    echo localhost >"$work/etc/hostname"
    printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$work/etc/hosts"
    rm -f "$CACHE_DIR"/rootfs-"$SUITE"-*.tar
    tar --numeric-owner --xattrs -C "$work" -cf "$ROOTFS_TAR.tmp" .
    mv "$ROOTFS_TAR.tmp" "$ROOTFS_TAR"
    remove_tree "$work"
}

import_rootfs() {
    if [[ $(engine_field "$ROOTFS_IMAGE" 2) == "$ROOTFS_KEY" ]]; then
        return 0
    fi
    make_rootfs_tarball
    log "importing the root file system"
    quiet "$DOCKER" import \
        --change "LABEL $LABEL=$ROOTFS_KEY" \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'CMD ["bash"]' \
        "$ROOTFS_TAR" "$ROOTFS_IMAGE"
}

# Fingerprint of files under the .NET install (paths, sizes, times, modes, link targets).
dotnet_fingerprint() {
    (cd "$DOTNET_HOST_ROOT" && find "$@" -printf '%p\t%s\t%T@\t%m\t%l\n' | LC_ALL=C sort | hash_text)
}

# Registry digest of REF's manifest, empty when the registry does not have it.
registry_digest() {
    local ref=$1 path tag
    path=${ref#"$REGISTRY"/}
    tag=${path##*:}
    path=${path%:*}
    curl -fsS --max-time 10 -o /dev/null -D - \
        -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
        "http://$REGISTRY/v2/$path/manifests/$tag" 2>/dev/null \
        | tr -d '\r' | awk 'tolower($1) == "docker-content-digest:" { print $2 }' || true
}

# Input label of REF's image in the registry, read from its config blob.
registry_label() {
    local ref=$1 path tag config
    path=${ref#"$REGISTRY"/}
    tag=${path##*:}
    path=${path%:*}
    config=$(curl -fsS --max-time 10 -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
        "http://$REGISTRY/v2/$path/manifests/$tag" 2>/dev/null \
        | tr -d ' \n' | grep -o '"config":{[^}]*}' | grep -o 'sha256:[0-9a-f]*') || return 0
    curl -fsS --max-time 10 "http://$REGISTRY/v2/$path/blobs/$config" 2>/dev/null \
        | grep -o "\"$LABEL\":\"[0-9a-f]*\"" | head -n 1 | cut -d'"' -f4 || true
}

image_label() { "$DOCKER" image inspect -f "{{index .Config.Labels \"$LABEL\"}}" "$1" 2>/dev/null || true; }

# What the engine had when the image phase began, from one inspect call (each docker
# call costs a few hundred milliseconds): " TAGS <TAB>LABEL<TAB> DIGESTS " per image.
ENGINE_IMAGES=
load_engine_images() {
    ENGINE_IMAGES=$("$DOCKER" image inspect \
        -f "{{range .RepoTags}} {{.}}{{end}} 	{{index .Config.Labels \"$LABEL\"}}	{{range .RepoDigests}} {{.}}{{end}} " \
        "$@" 2>/dev/null || true)
}

# engine_field REF N: field N (2 = input label, 3 = repo digests) of the image tagged REF.
engine_field() {
    printf '%s\n' "$ENGINE_IMAGES" | awk -F '\t' -v ref=" $1 " -v n="$2" 'index($1, ref) { print $n; exit }'
}

# Pushes REF unless the registry's manifest is already one of the image's repo digests.
push_if_needed() {
    local ref=$1 digest
    digest=$(registry_digest "$ref")
    if [[ -n $digest && $(engine_field "$ref" 3) == *" ${ref%:*}@$digest "* ]]; then
        return 0
    fi
    quiet "$DOCKER" push "$ref" || die "push of $ref failed"
}

# Staging directory for the build context of one image.
context_dir() {
    local dir=$CACHE_DIR/context/$1
    rm -rf "$dir"
    mkdir -p "$dir"
    cp "$HERE"/images/*.sh "$dir/"
    printf '%s\n' "$dir"
}

# Copies the named parts of the .NET install into DIR/dotnet (hard links when possible).
stage_dotnet() {
    local dir=$1/dotnet part
    shift
    mkdir -p "$dir"
    for part in "$@"; do
        mkdir -p "$dir/$(dirname "$part")"
        cp -al "$DOTNET_HOST_ROOT/$part" "$dir/$(dirname "$part")/" 2>/dev/null \
            || cp -a "$DOTNET_HOST_ROOT/$part" "$dir/$(dirname "$part")/"
    done
}

declare -A HASH
PUSH_IN_BACKGROUND=0
PUSH_PIDS=()

wait_for_pushes() {
    local pid
    for pid in "${PUSH_PIDS[@]}"; do wait "$pid" || die "a push failed (see $LOG)"; done
    PUSH_PIDS=()
}

# ensure_image NAME TAG DOCKERFILE EXTRA_INPUTS STAGE_FN [--build-arg ...]
# Builds $PREFIX/NAME:TAG unless the engine or the registry already has an image whose
# input label matches; STAGE_FN fills the build context directory given to it.
ensure_image() {
    local name=$1 tag=$2 dockerfile=$HERE/images/$3 extra=$4 stage=$5
    shift 5
    local ref=$PREFIX/$name:$tag want
    # Inputs: the Dockerfile, the helper scripts it names, build args and EXTRA_INPUTS
    # (parent hashes, payload fingerprints).
    want=$( {
        cat "$dockerfile"
        { grep -o '[a-z-]*\.sh' "$dockerfile" || true; } | sort -u | while read -r script; do cat "$HERE/images/$script"; done
        printf '%s\n' "$extra" "$@"
    } | hash_text)
    HASH[$ref]=$want

    if ((REBUILD)); then
        :
    elif [[ $(engine_field "$ref" 2) == "$want" ]]; then
        push_if_needed "$ref"
        echo "reused $ref" >>"$RESULTS"
        return 0
    elif [[ $(registry_label "$ref") == "$want" ]] && quiet "$DOCKER" pull "$ref" \
        && [[ $(image_label "$ref") == "$want" ]]; then
        echo "reused $ref" >>"$RESULTS"
        return 0
    fi

    log "building $ref"
    local ctx
    ctx=$(context_dir "$name-$tag")
    "$stage" "$ctx"
    local no_cache=()
    ((REBUILD)) && no_cache=(--no-cache)
    DOCKER_BUILDKIT=0 quiet "$DOCKER" build --network host --rm --force-rm "${no_cache[@]}" \
        --label "$LABEL=$want" -t "$ref" -f "$dockerfile" "$@" "$ctx" \
        || die "build of $ref failed (see $LOG)"
    rm -rf "$ctx"
    # Source stages of the chiseled builds stay behind as untagged images.
    quiet "$DOCKER" image prune -f --filter "label=$STAGE_LABEL"
    wait_for_smoke_apps
    if ! (smoke_check "$ref"); then
        # Otherwise its matching label would let the next run take it as good.
        "$DOCKER" rmi -f "$ref" >/dev/null 2>&1 || true
        die "$ref failed its smoke check"
    fi
    if ((PUSH_IN_BACKGROUND)); then
        # Lets the next build of a branch start while this (large) push compresses layers.
        { quiet "$DOCKER" push "$ref" || die "push of $ref failed"; } &
        PUSH_PIDS+=($!)
    else
        quiet "$DOCKER" push "$ref" || die "push of $ref failed"
    fi
    echo "built $ref" >>"$RESULTS"
}

stage_nothing() { :; }
stage_certs() {
    mkdir -p "$1/certs"
    if [[ -d /usr/local/share/ca-certificates ]]; then
        cp -a /usr/local/share/ca-certificates/. "$1/certs/"
    fi
    cp /etc/ssl/certs/ca-certificates.crt "$1/ca-certificates.crt"
}
RUNTIME_PARTS=(dotnet host "shared/Microsoft.NETCore.App" LICENSE.txt ThirdPartyNotices.txt)
ASPNET_PARTS=("shared/Microsoft.AspNetCore.App")
# Not metadata/: the host's dotnet rewrites it, which would look like a new SDK.
SDK_PARTS=(sdk packs sdk-manifests templates)
[[ -e $DOTNET_HOST_ROOT/dnx ]] && SDK_PARTS+=(dnx)
stage_runtime() { stage_dotnet "$1" "${RUNTIME_PARTS[@]}"; }
stage_aspnet() { stage_dotnet "$1" "${ASPNET_PARTS[@]}"; }
stage_sdk() { stage_dotnet "$1" "${SDK_PARTS[@]}"; }

# ---------------------------------------------------------------------------
# 5. Smoke checks of newly built images
# ---------------------------------------------------------------------------
SMOKE_DIR=$CACHE_DIR/smoke/$(cat "$HERE"/smoke/* | hash_text)
SMOKE_PID=

# Builds the smoke apps with the host SDK, once per version of their sources.
build_smoke_apps() {
    rm -rf "$CACHE_DIR/smoke"
    local app
    for app in Smoke SmokeWeb; do
        mkdir -p "$SMOKE_DIR/src/$app"
        cp "$HERE/smoke/$app.csproj.in" "$SMOKE_DIR/src/$app/$app.csproj"
        cp "$HERE/smoke/$app.cs" "$SMOKE_DIR/src/$app/Program.cs"
        DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 quiet "$DOTNET_HOST_ROOT/dotnet" publish \
            "$SMOKE_DIR/src/$app/$app.csproj" -c Release -o "$SMOKE_DIR/$app" -p:UseAppHost=false \
            || die "smoke app $app did not build (see $LOG)"
    done
    touch "$SMOKE_DIR/ok"
}

wait_for_smoke_apps() {
    if [[ -n $SMOKE_PID ]]; then
        wait "$SMOKE_PID" || die "smoke apps did not build (see $LOG)"
        SMOKE_PID=
    fi
    [[ -f $SMOKE_DIR/ok ]] || die "smoke apps missing in $SMOKE_DIR"
}

# expect_run PATTERN DOCKER-RUN-ARGS... : the container's output must match the glob PATTERN.
# The image's entry point is cleared unless DOCKER-RUN-ARGS set one.
expect_run() {
    local expected=$1 actual
    shift
    actual=$("$DOCKER" run --rm --network none --entrypoint "" "$@" 2>&1) || true
    # shellcheck disable=SC2053 # PATTERN is a glob on purpose
    [[ $actual == $expected ]] || die "smoke check 'docker run $*': expected '$expected', got '$actual'"
}

# Runs the smoke apps in REF: framework, user, ICU and tzdata presence, Kestrel for aspnet.
smoke_check() {
    local ref=$1 fw=".NET $RUNTIME_VERSION" mount host_dotnet
    mount=(-v "$SMOKE_DIR:/smoke:ro")
    # runtime-deps images run the host's runtime, mounted read-only.
    host_dotnet=(-v "$DOTNET_HOST_ROOT:/opt/dotnet:ro")
    case $ref in
    */sdk:*)
        expect_run "$SDK_VERSION" "$ref" dotnet --version
        if [[ $ref == *aot ]]; then expect_run ok "$ref" sh -c 'clang --version >/dev/null && echo ok'; fi
        ;;
    */runtime-deps:10.0) expect_run "$fw|root|icu|tz" "${mount[@]}" "${host_dotnet[@]}" "$ref" /opt/dotnet/dotnet /smoke/Smoke/Smoke.dll ;;
    */runtime-deps:*-extra) expect_run "$fw|app|icu|tz" "${mount[@]}" "${host_dotnet[@]}" "$ref" /opt/dotnet/dotnet /smoke/Smoke/Smoke.dll ;;
    */runtime-deps:*) expect_run "$fw|app|no-icu|no-tz" "${mount[@]}" "${host_dotnet[@]}" "$ref" /opt/dotnet/dotnet /smoke/Smoke/Smoke.dll ;;
    *:10.0) expect_run "$fw|root|icu|tz" "${mount[@]}" "$ref" dotnet /smoke/Smoke/Smoke.dll ;;
    *-extra) expect_run "$fw|app|icu|tz" "${mount[@]}" "$ref" dotnet /smoke/Smoke/Smoke.dll ;;
    *) expect_run "$fw|app|no-icu|no-tz" "${mount[@]}" "$ref" dotnet /smoke/Smoke/Smoke.dll ;;
    esac
    case $ref in
    */runtime:*chiseled* | */aspnet:*chiseled*)
        # The default command, as in Microsoft's chiseled images: dotnet --info.
        local info
        info=$("$DOCKER" run --rm --network none "$ref" 2>&1) || true
        [[ $info == *"Microsoft.NETCore.App $RUNTIME_VERSION"* ]] || die "'docker run $ref' did not run dotnet --info: $info"
        ;;
    esac
    case $ref in
    */aspnet:10.0) expect_run "10.0.0.0|root|pong" "${mount[@]}" "$ref" dotnet /smoke/SmokeWeb/SmokeWeb.dll ;;
    */aspnet:*) expect_run "10.0.0.0|app|pong" "${mount[@]}" "$ref" dotnet /smoke/SmokeWeb/SmokeWeb.dll ;;
    esac
}

# ---------------------------------------------------------------------------
# 6. Build order: Debian chain first, then the SDK and chiseled images side by side
# ---------------------------------------------------------------------------
if [[ ! -f $SMOKE_DIR/ok ]]; then
    # Overlaps with debootstrap on a fresh machine.
    build_smoke_apps &
    SMOKE_PID=$!
fi

load_engine_images "$ROOTFS_IMAGE" "$PREFIX"/{runtime-deps,runtime,aspnet}:10.0{,-noble-chiseled,-noble-chiseled-extra} \
    "$PREFIX"/sdk:10.0{,-noble-aot}
import_rootfs

certs_hash=$( {
    cat /etc/ssl/certs/ca-certificates.crt
    if [[ -d /usr/local/share/ca-certificates ]]; then
        find /usr/local/share/ca-certificates -type f -print0 | sort -z | xargs -0r cat
    fi
} | hash_text)

rd=$PREFIX/runtime-deps:10.0
ensure_image runtime-deps 10.0 runtime-deps.Dockerfile "rootfs=$ROOTFS_KEY certs=$certs_hash" stage_certs \
    --build-arg "ROOTFS=$ROOTFS_IMAGE"
ensure_image runtime 10.0 runtime.Dockerfile "base=${HASH[$rd]} payload=$(dotnet_fingerprint "${RUNTIME_PARTS[@]}")" stage_runtime \
    --build-arg "BASE=$rd" --build-arg "DOTNET_VERSION=$RUNTIME_VERSION"
ensure_image aspnet 10.0 aspnet.Dockerfile "base=${HASH[$PREFIX/runtime:10.0]} payload=$(dotnet_fingerprint "${ASPNET_PARTS[@]}")" stage_aspnet \
    --build-arg "BASE=$PREFIX/runtime:10.0" --build-arg "ASPNET_VERSION=$RUNTIME_VERSION"

sdk_images() {
    PUSH_IN_BACKGROUND=1
    ensure_image sdk 10.0 sdk.Dockerfile "base=${HASH[$PREFIX/aspnet:10.0]} payload=$(dotnet_fingerprint "${SDK_PARTS[@]}")" stage_sdk \
        --build-arg "BASE=$PREFIX/aspnet:10.0" --build-arg "SDK_VERSION=$SDK_VERSION"
    PUSH_IN_BACKGROUND=0
    ensure_image sdk 10.0-noble-aot sdk-aot.Dockerfile "base=${HASH[$PREFIX/sdk:10.0]}" stage_nothing \
        --build-arg "BASE=$PREFIX/sdk:10.0"
    wait_for_pushes
}

chiseled_images() {
    local variant
    for variant in "" -extra; do
        ensure_image runtime-deps "10.0-noble-chiseled$variant" "runtime-deps-chiseled$variant.Dockerfile" \
            "source=${HASH[$rd]}" stage_nothing \
            --build-arg "SOURCE=$rd"
        ensure_image runtime "10.0-noble-chiseled$variant" runtime-chiseled.Dockerfile \
            "base=${HASH[$PREFIX/runtime-deps:10.0-noble-chiseled$variant]} source=${HASH[$PREFIX/runtime:10.0]}" stage_nothing \
            --build-arg "BASE=$PREFIX/runtime-deps:10.0-noble-chiseled$variant" \
            --build-arg "SOURCE=$PREFIX/runtime:10.0" --build-arg "DOTNET_VERSION=$RUNTIME_VERSION"
        ensure_image aspnet "10.0-noble-chiseled$variant" aspnet-chiseled.Dockerfile \
            "base=${HASH[$PREFIX/runtime:10.0-noble-chiseled$variant]} source=${HASH[$PREFIX/aspnet:10.0]}" stage_nothing \
            --build-arg "BASE=$PREFIX/runtime:10.0-noble-chiseled$variant" \
            --build-arg "SOURCE=$PREFIX/aspnet:10.0" --build-arg "ASPNET_VERSION=$RUNTIME_VERSION"
    done
}

# Each branch logs to its own file, appended to the main log once it is done.
# A background job can only be waited for by this shell, so before the branches fork.
if [[ -n $SMOKE_PID ]]; then wait_for_smoke_apps; fi
branch_pids=()
for branch in sdk_images chiseled_images; do
    (
        # shellcheck disable=SC2030 # the branch's own log, on purpose
        LOG=$RUN_DIR/$branch.log
        : >"$LOG"
        "$branch"
    ) &
    branch_pids+=($!)
done
failed=0
for pid in "${branch_pids[@]}"; do wait "$pid" || failed=1; done
# shellcheck disable=SC2031 # the main log, unchanged here
cat "$RUN_DIR"/sdk_images.log "$RUN_DIR"/chiseled_images.log >>"$LOG" 2>/dev/null || true
rm -f "$RUN_DIR"/sdk_images.log "$RUN_DIR"/chiseled_images.log
# shellcheck disable=SC2031
((failed == 0)) || die "image build failed (see above and $LOG)"

# arm64 variants of the chiseled images, with manifest lists under the tags above (arm64.sh).
MULTISTAGE_DEBIAN_MIRROR=$(debian_mirror) bash "$HERE/arm64.sh" 9>&- || die "the arm64 stand-ins failed (see $LOG)"

# The Podman engine beside Docker, with its own storage and socket (needs the registry and the images above).
bash "$HERE/podman.sh" 9>&- || die "the Podman engine did not come up (see /var/log/multistage-podman.log)"

built=$(grep -c '^built ' "$RESULTS" || true)
reused=$(grep -c '^reused ' "$RESULTS" || true)
log "ready in $(($(date +%s) - started)) s: dockerd up, registry $REGISTRY, $((built + reused)) images under $PREFIX ($built built and smoke-checked, $reused up to date)"
