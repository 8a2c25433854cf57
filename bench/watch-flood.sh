#!/usr/bin/env bash
# Many stalled "watch" connections plus load with 250-byte keys (docs/RELIABILITY.md, "Bounds the
# fuzzers do not reach"): memcached and Mnemo side by side, each -t 1 pinned to core 0, the client
# (bench/watch-flood.py) on core 1. Prints the watch replies, requests served, the log_watcher*
# stats, and the server's RSS and heap afterwards, or that it died.
#
# Usage: bench/watch-flood.sh [watchers 200] [seconds 20]
#        OTHER_ROOT=/path/to/another/checkout bench/watch-flood.sh   (also that build, e.g. an older commit, built with mvn -DskipTests package)
# Needs: memcached, python3, taskset; builds Mnemo via ./mnemo.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/jdk.sh
source "$root/scripts/jdk.sh"
watchers="${1:-200}"
seconds="${2:-20}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
"$root/mnemo" --version >/dev/null   # builds Mnemo first if needed, outside any measurement

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# run <name> <command...>: starts the server on $port, floods it, reports, stops it
run() {
    local name=$1; shift
    echo "== $name"
    taskset -c 0 "$@" >"$log" 2>&1 &
    local pid=$!
    for _ in $(seq 50); do (echo >/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break; sleep 0.2; done
    taskset -c 1 timeout $((seconds + 60)) python3 "$root/bench/watch-flood.py" "$port" "$watchers" "$seconds" || true
    if kill -0 "$pid" 2>/dev/null; then
        echo "server up: RSS $(awk '/VmRSS/{print $2}' /proc/"$pid"/status) kB, peak $(awk '/VmHWM/{print $2}' /proc/"$pid"/status) kB"
        if [[ "$name" != memcached ]]; then
            "$JAVA_HOME/bin/jcmd" "$pid" GC.heap_info 2>/dev/null | grep -E "total" || true
        fi
        grep -m1 -E "OutOfDirectMemoryError|OutOfMemoryError" "$log" | cut -c1-200 || true
        kill "$pid"; wait "$pid" 2>/dev/null || true
    else
        wait "$pid" && status=0 || status=$?
        echo "server exited, status $status"; grep -m3 -E "OutOfMemory|Terminating" "$log" || true
    fi
}

port=$(free_port); run memcached memcached -u nobody -l 127.0.0.1 -p "$port" -U 0 -t 1
port=$(free_port); run mnemo env MNEMO_CLASSPATH="$root/server/target/mnemo-server.jar" "$root/packaging/bin/mnemo" -l 127.0.0.1 -p "$port" -U 0 -t 1
if [[ -n "${OTHER_ROOT:-}" ]]; then
    port=$(free_port); run "mnemo at $OTHER_ROOT" env MNEMO_CLASSPATH="$OTHER_ROOT/server/target/mnemo-server.jar" "$OTHER_ROOT/packaging/bin/mnemo" -l 127.0.0.1 -p "$port" -U 0 -t 1
fi
