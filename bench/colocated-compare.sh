#!/usr/bin/env bash
# Co-located access against loopback TCP (issue 7), side by side in one run:
#   1. p50/p99 of get (hit) and set through an attached store (ColocatedBenchmark), attached to the
#      memory file of a running Mnemo server;
#   2. p50/p99 of one get over loopback TCP (TcpGetBenchmark) to that Mnemo server and to memcached;
#   3. attached get throughput in one process, then in two processes at once (scaling).
# Servers run -t 1 pinned to core 0, JMH pinned to core 1 (for 3, the two processes take cores 0
# and 1; the servers are idle then). 10-byte keys, 100-byte values.
#
# Usage: bench/colocated-compare.sh   (environment: JMH_OPTS, extra JMH options such as "-wi 1 -i 1")
# Needs: memcached, taskset, 2+ cores, /dev/shm.
# Builds bench/target/benchmarks.jar and the server (./mnemo) first if missing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/scripts/jdk.sh"
java_bin="$JAVA_HOME/bin/java"
jar="$root/bench/target/benchmarks.jar"
for tool in memcached taskset; do
    command -v "$tool" >/dev/null || { echo "colocated-compare: $tool is missing (apt-get install memcached util-linux)" >&2; exit 1; }
done
[[ -f "$jar" ]] || (cd "$root" && mvn -q -B -pl bench -am package -DskipTests)
"$root/mnemo" --version >/dev/null

workdir="$(mktemp -d)"
memory_file="/dev/shm/mnemo-colocated-$$.mem"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$workdir" "$memory_file"
}
trap cleanup EXIT INT TERM

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for_port() {
    local deadline=$((SECONDS + 60))
    until port_in_use "$1"; do
        (( SECONDS < deadline )) || { echo "colocated-compare: nothing listens on $1" >&2; exit 1; }
        sleep 0.2
    done
}
memcached_port=$((20000 + RANDOM % 10000))
mnemo_port=$((30000 + RANDOM % 10000))
user_flag=()
[[ "$(id -u)" -eq 0 ]] && user_flag=(-u nobody)
taskset -c 0 memcached "${user_flag[@]}" -t 1 -m 64 -U 0 -l 127.0.0.1 -p "$memcached_port" &
pids+=($!)
taskset -c 0 "$root/mnemo" -t 1 -m 64 -l 127.0.0.1 -p "$mnemo_port" -e "$memory_file" 2> "$workdir/mnemo.log" &
pids+=($!)
wait_for_port "$memcached_port"
wait_for_port "$mnemo_port"

jmh() {   # jmh <core> <args…>: JMH pinned to one core
    local core="$1"; shift
    # shellcheck disable=SC2086 # JMH_OPTS is a list of JMH options, e.g. "-wi 1 -i 1" for a smoke run
    taskset -c "$core" "$java_bin" --enable-native-access=ALL-UNNAMED -Djmh.ignoreLock=true -jar "$jar" "$@" ${JMH_OPTS:-}
}

echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "memcached: $(memcached -V); mnemo: $("$root/mnemo" --version); servers -t 1 on core 0, JMH on core 1"
jmh 1 'ColocatedBenchmark' -p file="$memory_file" | tee "$workdir/colocated.txt"
jmh 1 'TcpGetBenchmark' -p port="$mnemo_port,$memcached_port" | tee "$workdir/tcp.txt"

echo "scaling: attached getHit throughput, one process on core 1, then one on each of cores 0 and 1"
scaling_args=('ColocatedBenchmark.getHit' -bm thrpt -tu us -p file="$memory_file")
jmh 1 "${scaling_args[@]}" -rf csv -rff "$workdir/one.csv" > "$workdir/one.txt"
jmh 0 "${scaling_args[@]}" -rf csv -rff "$workdir/two-a.csv" > "$workdir/two-a.txt" &
other=$!
jmh 1 "${scaling_args[@]}" -rf csv -rff "$workdir/two-b.csv" > "$workdir/two-b.txt"
wait "$other"
score() { awk -F, 'NR == 2 { print $5 }' "$1"; }   # the Score column of JMH's CSV result
one="$(score "$workdir/one.csv")"; a="$(score "$workdir/two-a.csv")"; b="$(score "$workdir/two-b.csv")"

colocated_get="$(awk '/ColocatedBenchmark.getHit:p0.50/ { print $(NF-1) }' "$workdir/colocated.txt")"
colocated_set="$(awk '/ColocatedBenchmark.set:p0.50/ { print $(NF-1) }' "$workdir/colocated.txt")"
tcp_mnemo="$(awk '/TcpGetBenchmark.getHit:p0.50/ { print $(NF-1) }' "$workdir/tcp.txt" | sed -n 1p)"
tcp_memcached="$(awk '/TcpGetBenchmark.getHit:p0.50/ { print $(NF-1) }' "$workdir/tcp.txt" | sed -n 2p)"
echo
echo "summary (ns, p50):"
echo "  co-located get $colocated_get, set $colocated_set"
echo "  loopback TCP get: mnemo $tcp_mnemo, memcached $tcp_memcached"
awk -v c="$colocated_get" -v m="$tcp_memcached" -v n="$tcp_mnemo" \
    'BEGIN { printf "  TCP get to memcached / co-located get: %.1fx; TCP get to mnemo / co-located get: %.1fx\n", m / c, n / c }'
awk -v one="$one" -v a="$a" -v b="$b" \
    'BEGIN { printf "  attached get throughput: one process %.2f ops/us, two processes %.2f + %.2f = %.2f ops/us, scaling %.2fx\n", one, a, b, a + b, (a + b) / one }'
