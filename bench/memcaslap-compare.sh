#!/usr/bin/env bash
# Throughput of Mnemo against memcached under memcaslap (libmemcached-tools), side by side in one
# run as DESIGN.md's performance method asks: each server pinned to core 0 with one worker thread
# (memcached -t 1, mnemo -t 1), memcaslap pinned to core 1, runs alternated A B A B, and the
# throughput ratio Mnemo/memcached printed at the end.
#
# Workload: 90% get / 10% set, 16-byte keys (memcaslap's minimum key length), 100-byte values.
#
# Usage: bench/memcaslap-compare.sh   (environment: ROUNDS=3 SECONDS_PER_RUN=20 CONCURRENCY=32 WARMUP_SECONDS=10)
# The servers listen on free loopback ports chosen at start.
# Needs: memcached, memcaslap (Debian libmemcached-tools), taskset (util-linux), 2+ cores; builds Mnemo via ./mnemo.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${ROUNDS:-3}"
seconds="${SECONDS_PER_RUN:-20}"
concurrency="${CONCURRENCY:-32}"
warmup="${WARMUP_SECONDS:-10}"

for tool in memcached memcaslap taskset; do
    command -v "$tool" >/dev/null || { echo "memcaslap-compare: $tool is missing (apt-get install memcached libmemcached-tools util-linux)" >&2; exit 1; }
done
if (( $(nproc) < 2 )); then
    echo "memcaslap-compare: needs at least 2 cores (server on core 0, load on core 1)" >&2
    exit 1
fi

workdir="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$workdir"
}
trap cleanup EXIT INT TERM

cat > "$workdir/workload.cfg" <<'CFG'
key
16 16 1
value
100 100 1
cmd
0 0.1
1 0.9
CFG

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Prints a loopback port nothing listens on.
free_port() {
    local port
    for _ in $(seq 1 100); do
        port=$((20000 + RANDOM % 20000))
        if ! port_in_use "$port"; then
            echo "$port"
            return
        fi
    done
    echo "memcaslap-compare: found no free port" >&2
    exit 1
}

wait_for_port() {
    local port="$1" pid="$2" deadline=$((SECONDS + 60))
    until port_in_use "$port"; do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "memcaslap-compare: the server for port $port exited" >&2
            exit 1
        fi
        if (( SECONDS > deadline )); then
            echo "memcaslap-compare: nothing listens on port $port after 60 s" >&2
            exit 1
        fi
        sleep 0.2
    done
}

# Prints the ops/s of one memcaslap run against the port.
load() {
    local port="$1" duration="$2"
    timeout $((duration + 60)) taskset -c 1 memcaslap -s "127.0.0.1:$port" -F "$workdir/workload.cfg" \
        -t "${duration}s" -T 1 -c "$concurrency" > "$workdir/memcaslap.out" 2>&1
    sed -n 's/.*TPS: \([0-9]*\).*/\1/p' "$workdir/memcaslap.out" | tail -1
}

"$root/mnemo" --version >/dev/null   # builds Mnemo first if needed, outside any measurement

memcached_port="$(free_port)"
mnemo_port="$(free_port)"
while [[ "$mnemo_port" == "$memcached_port" ]]; do
    mnemo_port="$(free_port)"
done
user_flag=()
[[ "$(id -u)" -eq 0 ]] && user_flag=(-u nobody)
taskset -c 0 memcached "${user_flag[@]}" -t 1 -m 64 -U 0 -l 127.0.0.1 -p "$memcached_port" &
pids+=($!)
taskset -c 0 "$root/mnemo" -t 1 -m 64 -l 127.0.0.1 -p "$mnemo_port" 2> "$workdir/mnemo.log" &
pids+=($!)
wait_for_port "$memcached_port" "${pids[0]}"
wait_for_port "$mnemo_port" "${pids[1]}"

echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "memcached: $(memcached -V); mnemo: $("$root/mnemo" --version)"
echo "workload: memcaslap -T 1 -c $concurrency, get:set 90:10, key 16 B, value 100 B; servers -t 1 on core 0, load on core 1"
echo "warm-up: ${warmup} s each (not counted)"
load "$memcached_port" "$warmup" >/dev/null
load "$mnemo_port" "$warmup" >/dev/null

memcached_total=0
mnemo_total=0
for round in $(seq 1 "$rounds"); do
    a="$(load "$memcached_port" "$seconds")"
    b="$(load "$mnemo_port" "$seconds")"
    if [[ -z "$a" || -z "$b" ]]; then
        echo "memcaslap-compare: a run produced no figure; last memcaslap output:" >&2
        cat "$workdir/memcaslap.out" >&2
        exit 1
    fi
    memcached_total=$((memcached_total + a))
    mnemo_total=$((mnemo_total + b))
    printf 'round %d: memcached %8d ops/s   mnemo %8d ops/s   ratio %s\n' "$round" "$a" "$b" \
        "$(awk -v m="$b" -v c="$a" 'BEGIN { printf "%.2f", m / c }')"
done
printf 'mean:    memcached %8d ops/s   mnemo %8d ops/s   mnemo/memcached %s\n' \
    $((memcached_total / rounds)) $((mnemo_total / rounds)) \
    "$(awk -v m="$mnemo_total" -v c="$memcached_total" 'BEGIN { printf "%.2f", m / c }')"
