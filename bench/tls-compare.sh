#!/usr/bin/env bash
# Throughput over TLS, side by side in one run: memcached -Z, Mnemo with BoringSSL
# (netty-tcnative, -Dmnemo.tls.engine=openssl) and Mnemo with the JDK's TLS engine
# (-Dmnemo.tls.engine=jdk), each -t 1 pinned to core 0, the load pinned to core 1, runs
# alternated, ratios to memcached printed per workload:
#   handshake  new TLS connections per second (openssl s_time -new: full handshakes, RSA 2048)
#   get90      1 set : 9 gets, 32-byte values, 10,000 keys (bench TextLoad --tls, the JDK's SSLSocket)
#   set1k      sets of 1024-byte values (TextLoad --tls)
# and each server's CPU time per operation (from /proc/<pid>/stat over the timed runs): the load
# generator, one JVM on one core, may be what limits ops/s, and then CPU per operation is what
# tells the servers apart.
# memtier_benchmark, the tool issue 15 names, is not packaged by Debian; TextLoad stands in
# (connections threads, each sending PIPELINE requests then reading the replies).
#
# Usage: bench/tls-compare.sh [handshake] [get90] [set1k]   (default: all three)
#        environment: ROUNDS=3 SECONDS_PER_RUN=20 WARMUP_SECONDS=10 CONNECTIONS=8 PIPELINE=1
# Smoke run: ROUNDS=1 SECONDS_PER_RUN=2 WARMUP_SECONDS=1 bench/tls-compare.sh
# Needs: memcached built with TLS (Debian's is), openssl, taskset, 2+ cores; builds
# bench/target/benchmarks.jar and the server (./mnemo) first if missing.
set -euo pipefail
LOAD_TOOL=openssl
# shellcheck source=bench/memcaslap-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/memcaslap-lib.sh"
# shellcheck source=scripts/jdk.sh
source "$root/scripts/jdk.sh"

connections="${CONNECTIONS:-8}"
pipeline="${PIPELINE:-1}"
bench_jar="$root/bench/target/benchmarks.jar"
server_jar="$root/server/target/mnemo-server.jar"
workloads=("$@")
(( ${#workloads[@]} )) || workloads=(handshake get90 set1k)

[[ -f "$bench_jar" ]] || (cd "$root" && mvn -q -B -pl bench -am package -DskipTests)
"$root/mnemo" --version >/dev/null   # builds Mnemo first if needed, outside any measurement

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
    -keyout "$workdir/server.key" -out "$workdir/server.crt" 2>/dev/null
tls_flags=(-Z -o "ssl_chain_cert=$workdir/server.crt,ssl_key=$workdir/server.key")

start_memcached memcached 0 -t 1 -U 0 "${tls_flags[@]}"
for engine in openssl jdk; do
    start_server "mnemo-$engine" 0 "$JAVA_HOME/bin/java" "-Dmnemo.tls.engine=$engine" \
        --enable-native-access=ALL-UNNAMED -jar "$server_jar" -m 64 -l 127.0.0.1 -p PORT -t 1 "${tls_flags[@]}"
done
grep -h "listening on" "$workdir"/mnemo-*.log | sed 's/.*listening on/mnemo listening on/'

# Prints the server's CPU time so far (user + system), in clock ticks (1/100 s).
cpu_ticks() {
    awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# Prints the operations (or handshakes) per second of one run of $kind against the port, and
# adds the server's CPU ticks and the operations of a timed run to $workdir/cpu.<kind>.<port>.
load() {
    local port="$1" duration="$2" i pid before ops
    for i in "${!ports[@]}"; do [[ "${ports[$i]}" == "$port" ]] && pid="${pids[$i]}"; done
    before="$(cpu_ticks "$pid")"
    ops="$(run_load "$port" "$duration")"
    if [[ "$duration" == "$seconds" && -n "$ops" ]]; then
        echo "$(( $(cpu_ticks "$pid") - before )) $(( ops * duration ))" >> "$workdir/cpu.$kind.$port"
    fi
    echo "$ops"
}

# Prints the operations (or handshakes) per second of one run of $kind against the port.
run_load() {
    local port="$1" duration="$2"
    if [[ "$kind" == handshake ]]; then
        timeout $((duration + 60)) taskset -c "${LOAD_CPUS:-1}" openssl s_time -connect "127.0.0.1:$port" -new \
            -time "$duration" > "$workdir/load.out" 2>&1 || true
        # "<n> connections in <s> real seconds, ..."
        awk '/connections in .* real seconds/ { if ($4 > 0) printf "%d\n", $1 / $4 }' "$workdir/load.out" | tail -1
    else
        timeout $((duration + 120)) taskset -c "${LOAD_CPUS:-1}" "$JAVA_HOME/bin/java" -cp "$bench_jar" \
            dev.mnemo.bench.TextLoad --tls "--connections=$connections" "--pipeline=$pipeline" \
            127.0.0.1 "$port" "$kind" "$duration" \
            > "$workdir/load.out" 2>&1 || true
        sed -n 's/^ops\/s: \([0-9]*\)$/\1/p' "$workdir/load.out"
    fi
}

for kind in "${workloads[@]}"; do
    case "$kind" in
        handshake) WORKLOAD="openssl s_time -new (a full TLS handshake per connection), RSA 2048 certificate" ;;
        get90) WORKLOAD="TextLoad --tls get90: 1 set : 9 gets, 32 B values, $connections connections, pipeline $pipeline" ;;
        set1k) WORKLOAD="TextLoad --tls set1k: sets of 1024 B values, $connections connections, pipeline $pipeline" ;;
        *) echo "tls-compare: unknown workload $kind (handshake, get90, set1k)" >&2; exit 64 ;;
    esac
    echo "== $kind"
    compare
    # The load generator may be the bottleneck (then every server looks alike): the server's CPU
    # time per operation says how much each server spends, whatever the load reached.
    for i in "${!names[@]}"; do
        awk -v name="${names[$i]}" '{ ticks += $1; ops += $2 }
            END { if (ops > 0) printf "server CPU: %-22s %8.1f us per operation\n", name, ticks * 10000 / ops }' \
            "$workdir/cpu.$kind.${ports[$i]}"
    done
done
