#!/usr/bin/env bash
# Shared by the memcaslap bench scripts (memcaslap-compare.sh, transport-compare.sh,
# threads-compare.sh); source it, do not run it. Starts servers on free loopback ports, runs
# memcaslap (libmemcached-tools) against them in alternation and prints ops/s per round and
# the means, each as a ratio to the first server.
#
# Workload: 90% get / 10% set, 16-byte keys (memcaslap's minimum key length), 100-byte values.
# Environment: ROUNDS=3 SECONDS_PER_RUN=20 CONCURRENCY=32 WARMUP_SECONDS=10
# A script with another load tool (bench/tls-compare.sh) sets LOAD_TOOL (checked instead of
# memcaslap) before sourcing, then defines its own load() and sets WORKLOAD (printed by compare).

bench_name="$(basename "$0" .sh)"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${ROUNDS:-3}"
seconds="${SECONDS_PER_RUN:-20}"
concurrency="${CONCURRENCY:-32}"
warmup="${WARMUP_SECONDS:-10}"

for tool in memcached "${LOAD_TOOL:-memcaslap}" taskset; do
    command -v "$tool" >/dev/null || { echo "$bench_name: $tool is missing (apt-get install memcached libmemcached-tools util-linux)" >&2; exit 1; }
done
if (( $(nproc) < 2 )); then
    echo "$bench_name: needs at least 2 cores (server on core 0, load on core 1)" >&2
    exit 1
fi

workdir="$(mktemp -d)"
pids=()
names=()
ports=()
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

# Prints a loopback port nothing listens on and no server of this run was given.
free_port() {
    local port
    for _ in $(seq 1 100); do
        port=$((20000 + RANDOM % 20000))
        if ! port_in_use "$port" && [[ " ${ports[*]} " != *" $port "* ]]; then
            echo "$port"
            return
        fi
    done
    echo "$bench_name: found no free port" >&2
    exit 1
}

# Waits until the port accepts connections; returns 1 if the server's process exits first.
wait_for_port() {
    local port="$1" pid="$2" deadline=$((SECONDS + 60))
    until port_in_use "$port"; do
        if ! kill -0 "$pid" 2>/dev/null; then
            return 1
        fi
        if (( SECONDS > deadline )); then
            echo "$bench_name: nothing listens on port $port after 60 s" >&2
            exit 1
        fi
        sleep 0.2
    done
}

# start_server <name> <cpu list> <command...>: runs the command (every argument PORT becomes a
# free port, the same one for -p and -U) pinned to the cpus, waits for it to listen and records
# it for compare. Returns 1, after printing the server's last log line, if the server exits.
start_server() {
    local name="$1" cpus="$2" port
    shift 2
    port="$(free_port)"
    local args=("${@//PORT/$port}")
    taskset -c "$cpus" "${args[@]}" 2> "$workdir/$name.log" &
    pids+=($!)
    if ! wait_for_port "$port" "$!"; then
        echo "$bench_name: $name exited: $(tail -1 "$workdir/$name.log")" >&2
        return 1
    fi
    names+=("$name")
    ports+=("$port")
}

# start_memcached <name> <cpus> <flags...>, start_mnemo <name> <cpus> <flags...> (this checkout's
# server, via ./mnemo) and start_mnemo_jar <name> <cpus> <runnable jar> <flags...> (the server in
# that jar, on $JAVA_HOME's java): -p PORT, -l, -m 64 added.
start_memcached() {
    local name="$1" cpus="$2"
    shift 2
    local user_flag=()
    [[ "$(id -u)" -eq 0 ]] && user_flag=(-u nobody)
    start_server "$name" "$cpus" memcached "${user_flag[@]}" -m 64 -l 127.0.0.1 -p PORT "$@"
}
start_mnemo() {
    local name="$1" cpus="$2"
    shift 2
    start_server "$name" "$cpus" "$root/mnemo" -m 64 -l 127.0.0.1 -p PORT "$@"
}
start_mnemo_jar() {
    local name="$1" cpus="$2" jar="$3"
    shift 3
    start_server "$name" "$cpus" "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar "$jar" \
        -m 64 -l 127.0.0.1 -p PORT "$@"
}

# Prints the ops/s of one memcaslap run against the port; MEMCASLAP_FLAGS (e.g. -U) are added.
load() {
    local port="$1" duration="$2"
    # shellcheck disable=SC2086
    timeout $((duration + 60)) taskset -c "${LOAD_CPUS:-1}" memcaslap -s "127.0.0.1:$port" -F "$workdir/workload.cfg" \
        -t "${duration}s" -T 1 -c "$concurrency" ${MEMCASLAP_FLAGS:-} > "$workdir/load.out" 2>&1
    sed -n 's/.*TPS: \([0-9]*\).*/\1/p' "$workdir/load.out" | tail -1
}

# Prints the date and the versions of memcached and of this checkout's Mnemo, then compare_rounds.
compare() {
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "memcached: $(memcached -V); mnemo: $("$root/mnemo" --version)"
    compare_rounds
}

# Warms every started server up, then runs the rounds in alternation (A B C A B C ...) and prints
# each server's ops/s per round and mean, with its ratio to the first server; leaves the means in
# the array means (same order as names).
means=()
compare_rounds() {
    echo "workload: ${WORKLOAD:-memcaslap -T 1 -c $concurrency ${MEMCASLAP_FLAGS:-}, get:set 90:10, key 16 B, value 100 B}; load on core ${LOAD_CPUS:-1}"
    echo "warm-up: ${warmup} s each (not counted); $rounds rounds of $seconds s"
    local i totals=()
    for i in "${!names[@]}"; do
        load "${ports[$i]}" "$warmup" >/dev/null
        totals+=(0)
    done
    for round in $(seq 1 "$rounds"); do
        local line="round $round:"
        for i in "${!names[@]}"; do
            local ops
            ops="$(load "${ports[$i]}" "$seconds")"
            if [[ -z "$ops" ]]; then
                echo "$bench_name: the run against ${names[$i]} produced no figure; the load said:" >&2
                cat "$workdir/load.out" >&2
                exit 1
            fi
            totals[i]=$((totals[i] + ops))
            line+="$(printf '  %s %d' "${names[$i]}" "$ops")"
        done
        echo "$line"
    done
    for i in "${!names[@]}"; do
        means[i]=$((totals[i] / rounds))
        printf 'mean: %-22s %9d ops/s   ratio to %s %s\n' "${names[$i]}" $((totals[i] / rounds)) "${names[0]}" \
            "$(awk -v m="${totals[$i]}" -v c="${totals[0]}" 'BEGIN { printf "%.2f", m / c }')"
    done
}
