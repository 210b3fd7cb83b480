#!/usr/bin/env bash
# Brings up the Podman engine the end-to-end tests use, as root, beside the Docker engine
# and without touching it: Debian's podman (4.3) serving its Docker-compatible API on
# /run/multistage-testenv/podman/podman.sock, with its own storage, run and temporary
# directories and configuration files (never /etc/containers or /var/lib/containers),
# host networking (this machine has no bridge) and 127.0.0.1:5000 as a plain-HTTP registry.
# Idempotent and fast when warm: each step is skipped when its result is already there.
# Called by up.sh after the registry is up; can run on its own.
set -Eeuo pipefail
trap 'printf "[testenv] error: line %s: %s failed\n" "$LINENO" "$BASH_COMMAND" >&2' ERR

readonly REGISTRY=127.0.0.1:5000
readonly CONFIG_DIR=/etc/multistage-testenv/podman
readonly RUN_DIR=/run/multistage-testenv/podman
readonly DATA_DIR=/var/lib/multistage-podman
readonly SOCKET=$RUN_DIR/podman.sock
readonly LOG=/var/log/multistage-podman.log
# Where down.sh finds the service to stop it.
readonly PID_FILE=/run/multistage-testenv/podman.pid

log() { printf '[testenv] %s\n' "$*"; }
die() { printf '[testenv] error: %s\n' "$*" >&2; exit 1; }

[[ $(id -u) == 0 ]] || die "must run as root"

if ! command -v podman >/dev/null 2>&1; then
    log "installing podman"
    # Keep package scripts from starting services.
    policy=/usr/sbin/policy-rc.d own_policy=0
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && own_policy=1
    fi
    rc=0
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends podman >>"$LOG" 2>&1 || {
        DEBIAN_FRONTEND=noninteractive apt-get update >>"$LOG" 2>&1 \
            && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends podman >>"$LOG" 2>&1
    } || rc=$?
    ((own_policy)) && rm -f "$policy"
    ((rc == 0)) || { tail -n 30 "$LOG" >&2; die "podman installation failed (see $LOG)"; }
fi

mkdir -p "$CONFIG_DIR" "$RUN_DIR" "$DATA_DIR/storage" "$DATA_DIR/tmp"

# Written every run (cheap); the service reads them at start, so a change restarts it.
CHANGED=0
write_config() {
    local file=$1
    cat >"$file.tmp"
    if ! cmp -s "$file.tmp" "$file" 2>/dev/null; then mv "$file.tmp" "$file"; CHANGED=1; else rm -f "$file.tmp"; fi
}
# Containers get this process's open-file and process limits: Podman's defaults are above what
# this machine lets a process raise them to, and runc then fails ("error setting rlimit type 7").
NOFILE=$(ulimit -Hn)
# The service itself runs with at most 32768 processes, whatever this shell allows.
NPROC=$(ulimit -Hu)
[[ $NPROC == unlimited || $NPROC -gt 32768 ]] && NPROC=32768
write_config "$CONFIG_DIR/storage.conf" <<EOF
[storage]
driver = "overlay"
runroot = "$RUN_DIR/runroot"
graphroot = "$DATA_DIR/storage"
EOF
write_config "$CONFIG_DIR/registries.conf" <<EOF
unqualified-search-registries = []

[[registry]]
location = "$REGISTRY"
insecure = true
EOF
write_config "$CONFIG_DIR/containers.conf" <<EOF
[containers]
netns = "host"
default_ulimits = ["nofile=$NOFILE:$NOFILE", "nproc=$NPROC:$NPROC"]

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$RUN_DIR/events.log"
tmp_dir = "$RUN_DIR/libpod"
static_dir = "$DATA_DIR/libpod"
volume_path = "$DATA_DIR/volumes"

[network]
network_config_dir = "$CONFIG_DIR/networks"
EOF

# The environment every podman command of the test environment runs with.
export CONTAINERS_STORAGE_CONF=$CONFIG_DIR/storage.conf
export CONTAINERS_REGISTRIES_CONF=$CONFIG_DIR/registries.conf
export CONTAINERS_CONF=$CONFIG_DIR/containers.conf

podman_answers() {
    curl -fsS -o /dev/null --max-time 3 --unix-socket "$SOCKET" http://d/_ping 2>/dev/null
}

if ((CHANGED)) && podman_answers && [[ -f $PID_FILE ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
    log "podman configuration changed: restarting the service"
    kill -TERM "$(cat "$PID_FILE")"
    for ((i = 0; i < 40; i++)); do kill -0 "$(cat "$PID_FILE")" 2>/dev/null || break; sleep 0.25; done
fi

if ! podman_answers; then
    log "starting podman system service on $SOCKET"
    rm -f "$SOCKET"
    # Detached from this script's session, without up.sh's run lock (fd 9).
    setsid nohup podman system service --time=0 "unix://$SOCKET" >>"$LOG" 2>&1 </dev/null 9>&- &
    echo $! >"$PID_FILE"
    for ((i = 0; i < 60; i++)); do
        podman_answers && break
        kill -0 "$(cat "$PID_FILE")" 2>/dev/null || break
        sleep 0.5
    done
    podman_answers || { tail -n 20 "$LOG" >&2; die "podman did not answer on $SOCKET (log: $LOG)"; }
fi

# The stand-in base images the tests build FROM, pulled once from the registry (a pull of an
# image that is present only checks its manifest).
for image in sdk:10.0 runtime:10.0 runtime-deps:10.0; do
    ref=$REGISTRY/dotnet/$image
    if ! podman image exists "$ref"; then
        log "podman: pulling $ref"
        podman pull -q "$ref" >>"$LOG" 2>&1 || die "podman cannot pull $ref from $REGISTRY (see $LOG)"
    fi
done
log "podman ready on unix://$SOCKET ($(podman version -f '{{.Server.Version}}' 2>/dev/null || echo '?'))"
