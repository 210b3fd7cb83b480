#!/usr/bin/env bash
# Stops the Podman service, the registry and dockerd that up.sh started (by their recorded process ids).
# Images, registry storage and caches stay; see README.md for a full reset.
set -euo pipefail

readonly RUN_DIR=/run/multistage-testenv

# stop NAME EXPECTED-COMMAND: ends the recorded process if it is still that command.
stop() {
    local name=$1 command=$2 pidfile=$RUN_DIR/$1.pid pid i
    if [[ ! -f $pidfile ]]; then
        echo "[testenv] $name: not started by up.sh"
        return 0
    fi
    pid=$(cat "$pidfile")
    if ! kill -0 "$pid" 2>/dev/null || [[ $(cat "/proc/$pid/comm" 2>/dev/null) != "$command" ]]; then
        echo "[testenv] $name: not running"
        rm -f "$pidfile"
        return 0
    fi
    kill -TERM "$pid"
    # dockerd stops its containers first, which can take a while.
    for ((i = 0; i < 60; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "[testenv] $name (pid $pid) did not stop within 30 s" >&2
        return 1
    fi
    rm -f "$pidfile"
    echo "[testenv] $name stopped"
}

[[ $(id -u) == 0 ]] || { echo "[testenv] must run as root" >&2; exit 1; }
stop podman podman
stop registry docker-registry
stop dockerd dockerd
